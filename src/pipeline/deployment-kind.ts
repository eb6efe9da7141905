// Why a deployment happened: planned, hotfix, rollback or fix-forward, read from what its payload shows
// (an explicit kind, earlier versions, branch and label names, revert commits). Every answer carries the
// reason so a person can check it and override it.
import type { DeploymentKind } from '../domain/records.ts';

export interface KindEvidence {
  /** A kind the sender stated (generic body `kind`, `escapement deploy --kind`, a deployment payload field). */
  explicitKind?: string | undefined;
  /** Who stated it, for the reason: "the sender", "a person". */
  explicitBy?: string;
  version?: string | undefined;
  sha?: string | undefined;
  /** Versions or shas this service ran before, newest first, as far as the payload shows them. */
  previous?: readonly string[];
  /** The branch, tag or ref deployed (`hotfix/pay-123`, `refs/heads/main`). */
  refs?: readonly (string | undefined)[];
  /** Labels, task names or environment stages (`hotfix`, `rollback`). */
  labels?: readonly string[];
  /** Deployment description, PR or commit titles and messages. */
  texts?: readonly (string | undefined)[];
  /** Messages of the commits it ships. */
  commitMessages?: readonly string[];
}

export interface DetectedKind {
  kind: DeploymentKind;
  reason: string;
  /** For a rollback, the version or sha it returns to, when known. */
  rolls_back_to?: string;
}

const KIND_ALIASES: Record<string, DeploymentKind> = {
  planned: 'planned',
  normal: 'planned',
  release: 'planned',
  hotfix: 'hotfix',
  rollback: 'rollback',
  'roll-back': 'rollback',
  revert: 'rollback',
  fix_forward: 'fix_forward',
  'fix-forward': 'fix_forward',
  fixforward: 'fix_forward',
  'roll-forward': 'fix_forward',
  rollforward: 'fix_forward',
};

/** Reads a kind as people write it (`fix-forward`, `Hotfix`), or undefined. */
export function parseDeploymentKind(value: string | undefined): DeploymentKind | undefined {
  if (value === undefined) return undefined;
  return KIND_ALIASES[value.trim().toLowerCase().replace(/\s+/g, '-')];
}

// A word at a segment boundary: `hotfix/x`, `x-hotfix`, `hotfix_1`, but not `hotfixture`.
const word = (w: string) => new RegExp(`(^|[^a-z0-9])${w}([^a-z0-9]|$)`, 'i');
const HOTFIX = word('hot-?fix(es)?');
const FIX_FORWARD = word('(fix|roll)[-_ ]?forward');
const ROLLBACK = word('roll[-_ ]?back');
const REVERT_TITLE = /^\s*revert\b/i;
const REVERTED_SHA = /this reverts commit ([0-9a-f]{7,40})/i;

/** The reason of a `planned` verdict that saw no sign at all: weaker than any kind an earlier event found. */
export const NO_KIND_SIGN = 'no rollback, revert, hotfix or fix-forward sign in the payload';

export function detectDeploymentKind(evidence: KindEvidence): DetectedKind {
  const explicit = parseDeploymentKind(evidence.explicitKind);
  if (explicit) return { kind: explicit, reason: `set by ${evidence.explicitBy ?? 'the sender'}: ${evidence.explicitKind}` };

  const previous = (evidence.previous ?? []).filter((p) => p !== '');
  const rollbackTarget = returnsTo(evidence.version, evidence.sha, previous);
  if (rollbackTarget) return { kind: 'rollback', reason: `returns to ${rollbackTarget}, which ran before the latest deployment`, rolls_back_to: rollbackTarget };

  const refs = (evidence.refs ?? []).filter((r): r is string => typeof r === 'string' && r !== '');
  const labels = evidence.labels ?? [];
  const named = (pattern: RegExp): string | undefined => refs.find((r) => pattern.test(r)) ?? labels.find((l) => pattern.test(l));

  const rollbackName = named(ROLLBACK);
  if (rollbackName) return { kind: 'rollback', reason: `named "${rollbackName}"` };

  const messages = evidence.commitMessages ?? [];
  const texts = (evidence.texts ?? []).filter((t): t is string => typeof t === 'string' && t !== '');
  const firstLines = [...texts, ...messages].map((t) => t.split('\n', 1)[0]!);
  if (messages.length > 0 ? messages.every((m) => REVERT_TITLE.test(m)) : firstLines.some((t) => REVERT_TITLE.test(t))) {
    const revert = [...messages, ...texts].find((t) => REVERT_TITLE.test(t)) ?? '';
    const sha = REVERTED_SHA.exec([...messages, ...texts].join('\n'))?.[1];
    return { kind: 'rollback', reason: `reverts: ${revert.split('\n', 1)[0]}`, ...(sha ? { rolls_back_to: sha } : {}) };
  }

  const fixForwardName = named(FIX_FORWARD) ?? firstLines.find((t) => FIX_FORWARD.test(t));
  if (fixForwardName) return { kind: 'fix_forward', reason: `named "${fixForwardName}"` };

  const hotfixName = named(HOTFIX) ?? firstLines.find((t) => HOTFIX.test(t));
  if (hotfixName) return { kind: 'hotfix', reason: `named "${hotfixName}"` };

  const lower = lowerThanLatest(evidence.version, previous);
  if (lower) return { kind: 'rollback', reason: `${lower} is lower than ${previous[0]}, the latest version`, rolls_back_to: lower };

  return { kind: 'planned', reason: NO_KIND_SIGN };
}

/**
 * The earlier version or sha this deployment returns to: one the service ran before the most recent one
 * (redeploying the current version is not a rollback).
 */
function returnsTo(version: string | undefined, sha: string | undefined, previous: readonly string[]): string | undefined {
  const [latest, ...older] = previous;
  if (latest === undefined) return undefined;
  for (const candidate of [version, sha]) {
    if (!candidate || sameRevision(candidate, latest)) continue;
    if (older.some((p) => sameRevision(candidate, p))) return candidate;
  }
  return undefined;
}

/** A semantic version lower than the latest one: a rollback unless a name says it is a hotfix of an older line. */
function lowerThanLatest(version: string | undefined, previous: readonly string[]): string | undefined {
  const latest = previous[0];
  if (!version || latest === undefined) return undefined;
  const order = compareVersions(version, latest);
  return order !== undefined && order < 0 ? version : undefined;
}

/** Two revisions are the same when equal, or when one sha abbreviates the other. */
function sameRevision(a: string, b: string): boolean {
  if (a === b) return true;
  const hex = /^[0-9a-f]{7,40}$/i;
  return hex.test(a) && hex.test(b) && (a.startsWith(b) || b.startsWith(a));
}

/** Compares dotted numeric versions (`v2.4.1`, `2.10`); undefined when either is not one. */
export function compareVersions(a: string, b: string): number | undefined {
  const parse = (v: string) => /^v?(\d+(?:\.\d+)*)$/i.exec(v.trim())?.[1]?.split('.').map(Number);
  const pa = parse(a);
  const pb = parse(b);
  if (!pa || !pb) return undefined;
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}
