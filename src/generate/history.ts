// Generates a history day by day, in time order, holding only what the coming days need: each
// service's release state and the problems already set in motion (a bug that surfaces next week).
// The caller writes each day out before asking for the next, so memory stays flat at any scale.
import { buildCatalog, serviceLine } from './catalog.ts';
import { type ServiceState, initialState, planRelease } from './delivery.ts';
import { IdSource } from './ids.ts';
import { clipToEnd } from './horizon.ts';
import { type ProblemCause, detectionTime, emitProblem, problemCause } from './problems.ts';
import { Random, type Weighted } from './random.ts';
import { FROM_DEPLOYMENT, PROBLEMS_PER_RELEASE, SCALES, type ScaleName, TYPE_SHARES, DEFAULT_END } from './scales.ts';
import { noiseSignal } from './signals.ts';
import { DAY, HOUR, MINUTE, clamp, isWeekend } from './time.ts';
import { type HistoryChunk, type ProblemType, emptyRecordLines } from './types.ts';

export interface GenerateOptions {
  scale: ScaleName;
  seed: number;
  /**
   * Where the history ends (UTC): a day `YYYY-MM-DD` (the history ends at the end of that day) or a
   * moment `YYYY-MM-DDTHH:MM[:SS[.mmm]]Z` (the demo ends at "now"). Nothing is dated after it.
   */
  end?: string;
}

export interface HistoryWindow {
  /** Midnight of the first day. */
  startMs: number;
  /** The end: nothing in the history is dated after it. */
  endMs: number;
  /** Days generated, the last one possibly cut short by the end. */
  days: number;
}

const END_DAY = /^\d{4}-\d{2}-\d{2}$/;
const END_MOMENT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z$/;

export function historyWindow(options: GenerateOptions): HistoryWindow {
  const end = options.end ?? DEFAULT_END;
  const endMs = END_DAY.test(end) ? Date.parse(`${end}T00:00:00Z`) + DAY : END_MOMENT.test(end) ? Date.parse(end) : Number.NaN;
  if (Number.isNaN(endMs) || (END_DAY.test(end) && new Date(endMs - DAY).toISOString().slice(0, 10) !== end)) {
    throw new RangeError(`end: expected a date YYYY-MM-DD or a UTC time YYYY-MM-DDTHH:MM:SSZ, got ${JSON.stringify(end)}`);
  }
  // Whole records are dated to the second: an end inside a second ends at its start.
  const end0 = Math.floor(endMs / 1000) * 1000;
  const days = SCALES[options.scale].days;
  const lastDayStart = Math.floor((end0 - 1) / DAY) * DAY;
  return { startMs: lastDayStart - (days - 1) * DAY, endMs: end0, days };
}

const typeWeights = (fromDeployment: boolean): Weighted<ProblemType> =>
  (Object.keys(TYPE_SHARES) as ProblemType[]).map((t) => [t, TYPE_SHARES[t] * (fromDeployment ? FROM_DEPLOYMENT[t] : 1 - FROM_DEPLOYMENT[t])] as const);
const DEPLOYMENT_TYPES = typeWeights(true);
const INDEPENDENT_TYPES = typeWeights(false);
const share = (weights: Weighted<ProblemType>) => weights.reduce((sum, [, w]) => sum + w, 0);
/** Chance that a problem comes with unrelated trouble in another service at the same moment. */
const CONCURRENT = 0.12;
/**
 * Independent problems per deployment-caused one, so that the overall type shares hold; the
 * concurrent ones (a share CONCURRENT of all) are independent too.
 */
const INDEPENDENT_RATIO = (share(INDEPENDENT_TYPES) - CONCURRENT) / share(DEPLOYMENT_TYPES);
/** Planned releases introduce more problems when the candidate looked weak; this is the average lift. */
const MEAN_RISK = 1.0;

/** How long after the deployment the problem starts to hurt. */
function surfaceDelay(rng: Random, type: ProblemType): number {
  switch (type) {
    case 'regression':
      return clamp(rng.logNormal(70 * MINUTE, 0.7), 20 * MINUTE, 8 * HOUR);
    case 'code':
      return clamp(rng.logNormal(10 * HOUR, 1.5), 5 * MINUTE, 7 * DAY);
    case 'infra':
      return clamp(rng.logNormal(30 * MINUTE, 1), 2 * MINUTE, 2 * DAY);
    default:
      return clamp(rng.logNormal(3 * HOUR, 1.2), 10 * MINUTE, 4 * DAY);
  }
}

type Event = { at: number; seq: number; service: number } & ({ kind: 'release' } | { kind: 'problem'; cause: ProblemCause });

/** A binary min-heap on (at, seq): events come out in time order, ties in the order they were made. */
class EventQueue {
  private readonly items: Event[] = [];

  get size(): number {
    return this.items.length;
  }

  private before(a: Event, b: Event): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  push(event: Event): void {
    const items = this.items;
    items.push(event);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  peek(): Event | undefined {
    return this.items[0];
  }

  pop(): Event | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.before(items[l]!, items[m]!)) m = l;
        if (r < items.length && this.before(items[r]!, items[m]!)) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m]!, items[i]!];
        i = m;
      }
    }
    return top;
  }
}

/** Deployments happen in working hours on weekdays, mostly. */
function releaseTime(rng: Random, dayStart: number): number {
  if (rng.chance(0.05)) return dayStart + rng.int(0, 24 * 60 - 1) * MINUTE;
  return dayStart + rng.int(8 * 60, 19 * 60) * MINUTE + rng.int(0, 59) * 1000;
}

/** Problems start any time, more often when traffic is high. */
function problemTime(rng: Random, dayStart: number): number {
  const hour = rng.chance(0.7) ? rng.between(8, 22) : rng.between(0, 24);
  return dayStart + Math.floor(hour * HOUR) + rng.int(0, 59) * 1000;
}

export function* generateHistory(options: GenerateOptions): Generator<HistoryChunk> {
  const window = historyWindow(options);
  const scale = SCALES[options.scale];
  const rng = new Random(options.seed);
  const ids = new IdSource(Math.abs(options.seed) % 2_147_483_647);
  const catalog = buildCatalog(rng, scale);
  const states: ServiceState[] = catalog.services.map((plan) => initialState(rng, plan, window.startMs));
  const queue = new EventQueue();
  let seq = 0;
  const independentRate = 0.9 * PROBLEMS_PER_RELEASE * MEAN_RISK * scale.releasesPerServiceDay * INDEPENDENT_RATIO;

  // A problem nobody has noticed by the end leaves no trace a person saw: it is not in this history.
  const visible = (cause: ProblemCause) => detectionTime(cause) <= window.endMs;
  const scheduleProblem = (service: number, cause: ProblemCause) => {
    queue.push({ at: cause.impactStart, seq: seq++, service, kind: 'problem', cause });
  };
  const independentProblem = (service: number, at: number) => {
    const cause = problemCause(rng, rng.weighted(INDEPENDENT_TYPES), at, null);
    if (visible(cause)) scheduleProblem(service, cause);
  };

  for (let day = 0; day < window.days; day++) {
    const dayStart = window.startMs + day * DAY;
    const dayEnd = Math.min(dayStart + DAY, window.endMs);
    const sink = { records: emptyRecordLines(), truth: { problems: [], deployments: [] } } as Pick<HistoryChunk, 'records' | 'truth'>;
    if (day === 0) {
      sink.records.teams.push(...catalog.teams);
      sink.records.services.push(...catalog.services.map(serviceLine));
    }
    const weekday = isWeekend(dayStart) ? 0.15 : 1.34;
    for (let i = 0; i < states.length; i++) {
      const plan = states[i]!.plan;
      const releases = rng.poisson(plan.releaseRate * weekday);
      for (let k = 0; k < releases; k++) queue.push({ at: releaseTime(rng, dayStart), seq: seq++, service: i, kind: 'release' });
      const independent = rng.poisson(independentRate);
      for (let k = 0; k < independent; k++) independentProblem(i, problemTime(rng, dayStart));
      const noise = rng.poisson(0.35);
      for (let k = 0; k < noise; k++) sink.records.signals.push(noiseSignal(rng, ids, plan, dayStart + rng.int(0, DAY / 1000 - 1) * 1000));
    }

    while ((queue.peek()?.at ?? Infinity) < dayEnd) {
      const event = queue.pop()!;
      const state = states[event.service]!;
      if (event.kind === 'release') {
        if (event.at < state.frozenUntil) continue;
        // One production deployment at a time: a release waits for the one still rolling out.
        const at = Math.max(event.at, state.deployedUntil + (event.at < state.deployedUntil ? rng.int(5, 30) * MINUTE : 0));
        const release = planRelease(rng, ids, state, sink, at);
        const introduced = rng.poisson(PROBLEMS_PER_RELEASE * state.plan.bugginess * release.risk);
        for (let k = 0; k < introduced; k++) {
          const type = rng.weighted(DEPLOYMENT_TYPES);
          const impactStart = release.finishedAt + surfaceDelay(rng, type);
          const cause = problemCause(rng, type, impactStart, { ref: release.deploymentRef, version: release.version, previousVersion: release.previousVersion });
          if (!visible(cause)) continue;
          release.truth.failed = true;
          scheduleProblem(event.service, cause);
        }
      } else {
        const peer = states[(event.service + 1 + rng.int(0, states.length - 2)) % states.length]!.plan.name;
        emitProblem(rng, ids, state, sink, event.cause, peer);
        // Unrelated trouble elsewhere at the same moment: correlation must keep the two apart.
        if (states.length > 1 && rng.chance(CONCURRENT)) {
          const other = (event.service + 1 + rng.int(0, states.length - 2)) % states.length;
          independentProblem(other, event.at + rng.int(0, 30) * MINUTE);
        }
      }
    }
    clipToEnd(sink, window.endMs);
    yield { day: new Date(dayStart).toISOString().slice(0, 10), dayIndex: day, totalDays: window.days, ...sink };
  }
}
