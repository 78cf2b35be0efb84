/**
 * The IKE fuzzing loop: random histories (fuzz/ike/events.ts) against a pair
 * of endpoints and against one endpoint with a hostile peer, each run and
 * judged by fuzz/ike/harness.ts; one history in `determinismEvery` is run twice
 * and must give the same digest. A history that breaks an invariant is shrunk
 * (events removed while the same kind of violation remains) and kept as the
 * smallest example of its kind. Platform-free: the clock is injected.
 */
import { Rng } from '../../src/sim/rng.ts';
import { type IkeEvent, type IkeHistory, type IkeMode, randomHistory } from './events.ts';
import { type IkeVerdict, runHistory } from './harness.ts';
import type { Violation } from './world.ts';

export interface IkeFuzzOptions {
  readonly histories: number;
  readonly maxMs?: number;
  readonly seed: number;
  readonly now: () => number;
  /** Which modes, alternating (default both). */
  readonly modes?: readonly IkeMode[];
  readonly maxEvents?: number;
  /** Run one history in this many twice, comparing digests (default 10). */
  readonly determinismEvery?: number;
  readonly progressEvery?: number;
  readonly onProgress?: (stats: IkeFuzzStats) => void;
  /** Shrink findings (default true); off in quick tests that expect none. */
  readonly shrink?: boolean;
}

export interface IkeFinding {
  count: number;
  /** The smallest history showing it (shrunk). */
  history: IkeHistory;
  violation: Violation;
}

export interface IkeFuzzStats {
  histories: number;
  elapsedMs: number;
  readonly perMode: Record<
    IkeMode,
    { histories: number; inputs: number; simulatedMs: number; converged: number }
  >;
  readonly findings: Map<string, IkeFinding>;
  /** Distinct sets of SA states visited: the coverage proxy. */
  readonly summaries: Set<string>;
  determinismChecks: number;
  /** Histories with ESP reported with timers, run again with it reported before them. */
  fastPathChecks: number;
  maxSas: number;
  maxChildren: number;
  inputs: number;
}

/**
 * Findings are one per (mode, kind, shape of the detail): the same broken invariant with another
 * shape ("a holds 0 IKE SAs" against "tunnel a up, b down") is kept apart, as it may be another bug.
 */
export function findingKey(mode: IkeMode, violation: Violation): string {
  return `${mode} ${violation.kind}: ${violation.detail.replace(/\d+/g, '#').replace(/[#/,]+(?=[ ,)]|$)/g, '#')}`;
}

export function fuzzIke(options: IkeFuzzOptions): IkeFuzzStats {
  const rng = new Rng(options.seed);
  const modes = options.modes ?? ['pair', 'hostile'];
  const stats: IkeFuzzStats = {
    histories: 0,
    elapsedMs: 0,
    perMode: {
      pair: { histories: 0, inputs: 0, simulatedMs: 0, converged: 0 },
      hostile: { histories: 0, inputs: 0, simulatedMs: 0, converged: 0 },
    },
    findings: new Map(),
    summaries: new Set(),
    determinismChecks: 0,
    fastPathChecks: 0,
    maxSas: 0,
    maxChildren: 0,
    inputs: 0,
  };
  const started = options.now();
  const deadline = options.maxMs === undefined ? Number.POSITIVE_INFINITY : started + options.maxMs;
  const progressEvery = options.progressEvery ?? 5000;
  const determinismEvery = options.determinismEvery ?? 10;
  let nextProgress = progressEvery;
  while (stats.histories < options.histories && options.now() < deadline) {
    const mode = modes[stats.histories % modes.length] as IkeMode;
    const history = randomHistory(rng, mode, options.maxEvents);
    let verdict = judge(history);
    if (history.esp === true) stats.fastPathChecks++;
    if (verdict.violation === undefined && stats.histories % determinismEvery === 0) {
      stats.determinismChecks++;
      const again = runHistory(history);
      if (again.digest !== verdict.digest) {
        verdict = {
          ...verdict,
          violation: {
            kind: 'nondeterministic',
            side: 'both',
            atMs: 0,
            detail: `digest ${verdict.digest.toString(16)} then ${again.digest.toString(16)}`,
          },
        };
      }
    }
    stats.histories++;
    const tally = stats.perMode[mode];
    tally.histories++;
    tally.inputs += verdict.inputs;
    tally.simulatedMs += verdict.simulatedMs;
    if (verdict.converged) tally.converged++;
    stats.inputs += verdict.inputs;
    stats.maxSas = Math.max(stats.maxSas, verdict.maxSas);
    stats.maxChildren = Math.max(stats.maxChildren, verdict.maxChildren);
    stats.summaries.add(`${mode}: ${verdict.summary}`);
    if (verdict.violation !== undefined) note(stats, history, verdict.violation, options.shrink !== false);
    if (stats.histories >= nextProgress) {
      nextProgress += progressEvery;
      stats.elapsedMs = options.now() - started;
      options.onProgress?.(stats);
    }
  }
  stats.elapsedMs = options.now() - started;
  return stats;
}

function note(stats: IkeFuzzStats, history: IkeHistory, violation: Violation, shrink: boolean): void {
  const key = findingKey(history.mode, violation);
  const known = stats.findings.get(key);
  if (known !== undefined) {
    known.count++;
    // Shrinking costs hundreds of runs: only for a history already shorter than the best.
    if (history.events.length >= known.history.events.length) return;
  }
  const small =
    shrink && violation.kind !== 'nondeterministic'
      ? shrinkHistory(history, violation)
      : { history, violation };
  if (known === undefined) stats.findings.set(key, { count: 1, ...small });
  else if (small.history.events.length < known.history.events.length) Object.assign(known, small);
}

/**
 * Runs a history and, when the data plane reports ESP with the timers, runs it
 * again with ESP reported just before them: the endpoint's fast path (ESP with
 * a DPD timer) must do exactly what its general path does.
 */
export function judge(history: IkeHistory): IkeVerdict {
  const verdict = runHistory(history);
  if (history.esp !== true || verdict.violation !== undefined) return verdict;
  const split = runHistory(history, 'split');
  if (split.outputDigest === verdict.outputDigest && split.violation === undefined) return verdict;
  return {
    ...verdict,
    violation: {
      kind: 'fast-path-differs',
      side: 'both',
      atMs: split.violation?.atMs ?? 0,
      detail:
        split.violation === undefined
          ? 'ESP in the timer input and ESP as inboundTraffic before the timer give different outputs'
          : `with ESP as inboundTraffic before the timer: ${split.violation.kind}: ${split.violation.detail}`,
    },
  };
}

/** Does the history still break the same invariant, in the same shape (`findingKey`)? */
export function reproduces(history: IkeHistory, like: Violation): Violation | undefined {
  let verdict: IkeVerdict;
  try {
    verdict = judge(history);
  } catch {
    return undefined;
  }
  const found = verdict.violation;
  return found !== undefined && findingKey(history.mode, found) === findingKey(history.mode, like)
    ? found
    : undefined;
}

/**
 * Delta debugging, simplified: remove chunks of events (halves, quarters … single
 * events) while the same kind of violation remains; then try simpler settings
 * (no jitter, no latency). Bounded by `budget` runs.
 */
export function shrinkHistory(
  history: IkeHistory,
  like: Violation,
  budget = 2000,
): { history: IkeHistory; violation: Violation } {
  let best = history;
  let violation = reproduces(history, like);
  if (violation === undefined)
    return { history, violation: { ...like, detail: `${like.detail} (did not reproduce)` } };
  let runs = 0;
  const attempt = (candidate: IkeHistory): boolean => {
    if (runs++ >= budget) return false;
    const found = reproduces(candidate, like);
    if (found === undefined) return false;
    best = candidate;
    violation = found;
    return true;
  };
  const withEvents = (events: readonly IkeEvent[]): IkeHistory => ({ ...best, events });
  for (let size = Math.max(1, Math.floor(best.events.length / 2)); size >= 1 && runs < budget; ) {
    let removed = false;
    for (let start = 0; start < best.events.length && runs < budget; ) {
      const events = [...best.events.slice(0, start), ...best.events.slice(start + size)];
      if (events.length > 0 && attempt(withEvents(events))) removed = true;
      else start += size;
    }
    if (!removed) size = Math.floor(size / 2);
  }
  for (const simpler of [{ jitterMs: 0 }, { latencyMs: 20 }, { latencyMs: 0 }])
    attempt({ ...best, ...simpler });
  // Settings back to the core's defaults, one by one, where the violation stays.
  for (const side of ['a', 'b'] as const) {
    for (const key of Object.keys(best[side] ?? {})) {
      const settings = best[side];
      if (settings === undefined || key === 'mode') continue;
      const { [key as keyof typeof settings]: _, ...rest } = settings;
      attempt({ ...best, [side]: rest });
    }
  }
  // Shorter waits: halve each advance while it still fails.
  for (let i = 0; i < best.events.length && runs < budget; i++) {
    const event = best.events[i];
    if ((event?.kind === 'advance' || event?.kind === 'stall') && event.ms > 1) {
      const events = [...best.events];
      events[i] = { ...event, ms: Math.floor(event.ms / 2) };
      if (attempt(withEvents(events))) i--;
    }
  }
  return { history: best, violation: violation as Violation };
}
