// Identifiers shaped like each vendor's, unique by construction: each comes from a counter passed
// through a bijection, so they look scattered but never collide (a collision would merge two records).
import { scramble32 } from './random.ts';

const BASE32 = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function base32(value: number, length: number): string {
  let out = '';
  let v = value >>> 0;
  for (let i = 0; i < length; i++) {
    out += BASE32[v & 31];
    v = Math.floor(v / 32);
  }
  return out;
}

const hex8 = (value: number) => value.toString(16).padStart(8, '0');

export class IdSource {
  private readonly counters = new Map<string, number>();

  constructor(private readonly salt: number) {}

  private next(name: string, start = 1): number {
    const n = this.counters.get(name) ?? start;
    this.counters.set(name, n + 1);
    return n;
  }

  private scattered(name: string): number {
    // Multiplying by an odd constant and adding are bijections modulo 2^32, as is scramble32.
    return scramble32((Math.imul(this.next(name), 0x9e3779b1) + this.salt) >>> 0);
  }

  problem(): string {
    return `gen-p-${String(this.next('problem')).padStart(6, '0')}`;
  }

  alertFingerprint(): string {
    const v = this.scattered('alert');
    return hex8(v) + hex8(scramble32(v ^ 0x5bd1e995));
  }

  pagerdutyIncident(): string {
    // 'Q' + 7 scattered characters: 32^7 > 2^32, so the bijection carries through.
    return `Q${base32(this.scattered('pagerduty'), 7)}${base32(this.salt, 6)}`;
  }

  jiraKey(project: string): string {
    return `${project}-${this.next(`jira:${project}`, 100 + (this.salt % 400))}`;
  }

  zendeskTicket(): string {
    return String(this.next('zendesk', 30_000 + (this.salt % 5000)));
  }

  slackMessage(channelId: string, atMs: number): string {
    const seq = this.next('slack');
    return `${channelId}-p${Math.floor(atMs / 1000)}${String(seq % 1_000_000).padStart(6, '0')}`;
  }

  sentryIssue(): string {
    return String(4_100_000_000 + this.next('sentry') * 7);
  }

  logAlert(): string {
    return hex8(this.scattered('loki'));
  }

  deployment(): string {
    return String(700_000_000 + this.next('deployment') * 3);
  }

  pullRequest(repository: string): number {
    return this.next(`pr:${repository}`, 40 + (this.salt % 900));
  }

  testRun(): string {
    return String(9_000_000_000 + this.next('test-run') * 11);
  }

  costEntry(): string {
    return `te-${this.next('cost')}`;
  }
}
