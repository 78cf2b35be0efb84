/**
 * Runs failure scenarios and measures what each did to the traffic: outages per
 * direction, share of flows hit, packets lost, sessions re-established, time to
 * converge, the failback when the element returns — and whether the failure cut a
 * site off. Platform-free; the Node CLI spreads `measureFailure` over worker
 * threads (src/cli/sweep-pool.ts) and assembles with the same `assembleSweep`.
 *
 * Single point of failure — the criterion
 * ---------------------------------------
 * A site (a traffic location: sites announcing the same prefixes are one place
 * with several devices) is *cut off* in a direction by a failure when, in the
 * settle window [recoverAt − settleWindow, recoverAt) — by default the last minute
 * before the element returns, three minutes after it failed — every flow of that
 * site in that direction loses every packet (each flow's outages cover the whole
 * window), and the same site and direction are not already cut off in the same
 * window of the no-failure baseline run. A single failure that cuts any site off
 * in any direction is a single point of failure. Sites where only some flows lose
 * throughout the window are reported as still losing (a partial black hole).
 * Tunnel resets bring nothing back; the same window then asks whether the site had
 * recovered by itself within three minutes.
 */
import type { Direction } from '../dataplane/flow.ts';
import type { FlowMetrics } from '../dataplane/meter.ts';
import type { Topology } from '../model/schema.ts';
import { summarizeTopology } from '../model/views.ts';
import { type DirectionSummary, summarizeDirection } from '../report/metrics.ts';
import { scenarioSchema, type TrafficProfile } from '../scenario/schema.ts';
import { type SimulationResult, simulate } from '../scenario/simulate.ts';
import type { WorldOptions } from '../scenario/world.ts';
import {
  type Failure,
  type FailureElement,
  type SweepOptions,
  type SweepTiming,
  scenarioSeed,
  sweepOptions,
} from './failures.ts';
import { type Scope, scopeOf } from './scope.ts';

/**
 * What one direction of traffic felt over the whole run (failure and failback):
 * the simulator's per-direction summary without the fields the sweep's JSON does
 * not carry (the direction is the key; path changes are not an HA figure).
 */
export type DirectionImpact = Omit<DirectionSummary, 'direction' | 'pathChanges'>;

/** The failure, or the failback, as its own event: who it interrupted and for how long. */
export interface PhaseImpact {
  /** When it happened (ms after the traffic start). */
  readonly atMs: number;
  /** From the event until the last flow it interrupted delivered again (0 when none). */
  readonly convergenceMs: number;
  readonly flowsInterrupted: number;
  /** The longest outage that started in this phase. */
  readonly worstOutageMs: number;
  readonly sessionResets: number;
  readonly flowsReset: number;
}

/** One site and direction that the run touched. */
export interface SiteImpact {
  readonly site: string;
  readonly direction: Direction;
  readonly flows: number;
  readonly flowsHit: number;
  readonly packetsLost: number;
  readonly worstOutageMs: number;
  readonly sessionResets: number;
  readonly flowsReset: number;
  /** Flows that lost every packet of the settle window. */
  readonly flowsLosingThroughoutWindow: number;
}

/** What the simulator measured for one scenario (what a worker sends back). */
export interface FailureMeasurement {
  readonly id: string;
  readonly seed: number;
  /**
   * The VPN sites simulated (scope.ts): every site for instance failures and the
   * baseline; for a site-local failure, the sites it can reach. Flow counts and
   * shares are of these sites' flows.
   */
  readonly scope: { readonly wholeTopology: boolean; readonly sites: readonly string[] };
  /** Set when the simulator could not run the scenario; every number is then 0. */
  readonly error: string | null;
  readonly toSite: DirectionImpact;
  readonly toAzure: DirectionImpact;
  readonly failover: PhaseImpact;
  /** null when nothing returns (a tunnel reset, the baseline). */
  readonly failback: PhaseImpact | null;
  /** BGP sessions that went down at least once from the failure to the end of the run. */
  readonly bgpSessionsDropped: number;
  /** Sites and directions with any loss or session reset, in site then direction order. */
  readonly sites: readonly SiteImpact[];
}

export interface SiteDirection {
  readonly site: string;
  readonly direction: Direction;
  readonly flows: number;
  readonly flowsLosing: number;
}

export interface FailureResult extends FailureMeasurement {
  readonly kind: string;
  readonly description: string;
  readonly elements: readonly FailureElement[];
  /** Sites and directions losing every packet in the settle window (and not in the baseline). */
  readonly cutOff: readonly SiteDirection[];
  /** Sites and directions where some, not all, flows lose every packet in the settle window. */
  readonly stillLosing: readonly SiteDirection[];
  readonly singlePointOfFailure: boolean;
}

export interface SweepTotals {
  readonly failures: number;
  /** Ids of the single failures that cut a site off. */
  readonly singlePointsOfFailure: readonly string[];
  /** Failures (single or pairs) that cut a site off. */
  readonly failuresCuttingOff: number;
  readonly failuresResettingSessions: number;
  readonly worstOutageMs: number;
  readonly worstOutageFailure: string | null;
  readonly simulationErrors: number;
}

export interface SweepResult {
  /** The design's name (the CLI uses the file name without extension). */
  readonly design: string;
  readonly hub: string;
  readonly topologySummary: string;
  readonly depth: 1 | 2;
  readonly timing: SweepTiming;
  readonly traffic: TrafficProfile;
  readonly seed: number;
  /** The same run without any failure: what is lost anyway. */
  readonly baseline: FailureMeasurement;
  readonly failures: readonly FailureResult[];
  readonly totals: SweepTotals;
}

export interface MeasureOptions {
  readonly timing: SweepTiming;
  /** Platform failover steps, as in simulate(). */
  readonly platform?: WorldOptions['platform'];
}

/** The no-failure run every sweep compares against. */
export function baselineFailure(options: SweepOptions): Failure {
  const { timing } = options;
  const id = 'no failure';
  return {
    id,
    kind: 'none',
    elements: [],
    description: 'no failure',
    recovers: false,
    scenario: scenarioSchema.parse({
      name: id,
      duration: `${timing.durationMs}ms`,
      warmup: `${timing.warmupMs}ms`,
      seed: scenarioSeed(options.seed, id),
      traffic: options.traffic,
      events: [],
    }),
  };
}

/** Runs one failure scenario and measures it. Never throws: a simulator error is recorded. */
export function measureFailure(
  topology: Topology,
  failure: Failure,
  options: MeasureOptions,
): FailureMeasurement {
  const { timing } = options;
  const scope = scopeOf(topology, failure.elements);
  let result: SimulationResult;
  try {
    result = simulate(scope.topology, failure.scenario, {
      trace: true,
      platform: options.platform,
    });
  } catch (thrown) {
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    return emptyMeasurement(failure, timing, scope, message);
  }
  const flows = result.flows;
  const direction = (d: Direction): DirectionImpact => {
    const { direction: _direction, pathChanges: _pathChanges, ...impact } = summarizeDirection(d, flows);
    return impact;
  };
  const before = (flow: FlowMetrics) => flow.sessionResetsAtMs.filter((t) => t < timing.recoverAtMs).length;
  const failover = phase(result, flows, timing.failAtMs, timing.recoverAtMs, (f) =>
    failure.recovers ? before(f) : f.sessionResets,
  );
  const failback = failure.recovers
    ? phase(result, flows, timing.recoverAtMs, Number.POSITIVE_INFINITY, (f) => f.sessionResets - before(f))
    : null;
  return {
    id: failure.id,
    seed: failure.scenario.seed,
    scope: { wholeTopology: scope.wholeTopology, sites: scope.sites },
    error: null,
    toSite: direction('toSite'),
    toAzure: direction('toAzure'),
    failover,
    failback,
    bgpSessionsDropped: bgpSessionsDropped(result, timing.failAtMs),
    sites: siteImpacts(flows, timing.recoverAtMs - timing.settleWindowMs, timing.recoverAtMs),
  };
}

function phase(
  result: SimulationResult,
  flows: readonly FlowMetrics[],
  fromMs: number,
  untilMs: number,
  resetsOf: (flow: FlowMetrics, index: number) => number,
): PhaseImpact {
  // Several events at one moment (a pair of failures): simulate() attributes every outage to the last of them.
  let convergenceMs = 0;
  let flowsInterrupted = 0;
  for (const event of result.events) {
    if (event.atMs !== fromMs) continue;
    convergenceMs = Math.max(convergenceMs, event.convergenceMs);
    flowsInterrupted += event.flowsInterrupted;
  }
  let worstOutageMs = 0;
  let sessionResets = 0;
  let flowsReset = 0;
  flows.forEach((flow, index) => {
    for (const outage of flow.outages) {
      if (outage.startMs >= fromMs && outage.startMs < untilMs) {
        worstOutageMs = Math.max(worstOutageMs, outage.endMs - outage.startMs);
      }
    }
    const resets = resetsOf(flow, index);
    sessionResets += resets;
    if (resets > 0) flowsReset++;
  });
  return { atMs: fromMs, convergenceMs, flowsInterrupted, worstOutageMs, sessionResets, flowsReset };
}

/** Distinct BGP sessions (either end) with a `bgp.down` at or after `fromMs`. */
function bgpSessionsDropped(result: SimulationResult, fromMs: number): number {
  const sessions = new Set<string>();
  for (const entry of result.trace) {
    if (entry.event !== 'bgp.down' || entry.atMs < fromMs) continue;
    // Sources are "<end>/bgp:<linkConnection>@<instance>"; the session is the part after "bgp:".
    const at = entry.source.indexOf('/bgp:');
    sessions.add(at >= 0 ? entry.source.slice(at + 5) : entry.source);
  }
  return sessions.size;
}

function siteImpacts(
  flows: readonly FlowMetrics[],
  windowStartMs: number,
  windowEndMs: number,
): SiteImpact[] {
  interface Tally {
    flows: number;
    flowsHit: number;
    packetsLost: number;
    worstOutageMs: number;
    sessionResets: number;
    flowsReset: number;
    losing: number;
  }
  const tallies = new Map<string, Tally>();
  for (const flow of flows) {
    const key = `${flow.site}\u0000${flow.direction}`;
    let t = tallies.get(key);
    if (!t) {
      t = {
        flows: 0,
        flowsHit: 0,
        packetsLost: 0,
        worstOutageMs: 0,
        sessionResets: 0,
        flowsReset: 0,
        losing: 0,
      };
      tallies.set(key, t);
    }
    t.flows++;
    if (flow.lost > 0) t.flowsHit++;
    t.packetsLost += flow.lost;
    t.sessionResets += flow.sessionResets;
    if (flow.sessionResets > 0) t.flowsReset++;
    let lostInWindow = 0;
    for (const outage of flow.outages) {
      t.worstOutageMs = Math.max(t.worstOutageMs, outage.endMs - outage.startMs);
      lostInWindow += Math.max(
        0,
        Math.min(outage.endMs, windowEndMs) - Math.max(outage.startMs, windowStartMs),
      );
    }
    if (lostInWindow >= windowEndMs - windowStartMs) t.losing++;
  }
  const impacts: SiteImpact[] = [];
  for (const [key, t] of tallies) {
    if (t.flowsHit === 0 && t.sessionResets === 0) continue;
    const [site, direction] = key.split('\u0000') as [string, Direction];
    impacts.push({
      site,
      direction,
      flows: t.flows,
      flowsHit: t.flowsHit,
      packetsLost: t.packetsLost,
      worstOutageMs: t.worstOutageMs,
      sessionResets: t.sessionResets,
      flowsReset: t.flowsReset,
      flowsLosingThroughoutWindow: t.losing,
    });
  }
  return impacts.sort((a, b) => compareStrings(a.site, b.site) || compareStrings(a.direction, b.direction));
}

function emptyMeasurement(
  failure: Failure,
  timing: SweepTiming,
  scope: Scope,
  error: string,
): FailureMeasurement {
  const none: DirectionImpact = {
    flows: 0,
    flowsHit: 0,
    shareHit: 0,
    packetsSent: 0,
    packetsLost: 0,
    worstOutageMs: 0,
    medianOutageMs: 0,
    sessionResets: 0,
    flowsReset: 0,
  };
  const quiet = (atMs: number): PhaseImpact => ({
    atMs,
    convergenceMs: 0,
    flowsInterrupted: 0,
    worstOutageMs: 0,
    sessionResets: 0,
    flowsReset: 0,
  });
  return {
    id: failure.id,
    seed: failure.scenario.seed,
    scope: { wholeTopology: scope.wholeTopology, sites: scope.sites },
    error,
    toSite: none,
    toAzure: none,
    failover: quiet(timing.failAtMs),
    failback: failure.recovers ? quiet(timing.recoverAtMs) : null,
    bgpSessionsDropped: 0,
    sites: [],
  };
}

/** Flags each failure against the baseline and totals the sweep. Pure: same inputs, same result. */
export function assembleSweep(input: {
  readonly design: string;
  readonly topology: Topology;
  readonly options: SweepOptions;
  readonly baseline: FailureMeasurement;
  readonly failures: readonly Failure[];
  readonly measurements: readonly FailureMeasurement[];
}): SweepResult {
  const { options, baseline } = input;
  const brokenAnyway = new Set(
    baseline.sites
      .filter((s) => s.flowsLosingThroughoutWindow > 0)
      .map((s) => `${s.site}\u0000${s.direction}`),
  );
  const failures: FailureResult[] = input.failures.map((failure, index) => {
    const m = input.measurements[index];
    if (!m || m.id !== failure.id) throw new Error(`measurement ${index} is not for ${failure.id}`);
    const cutOff: SiteDirection[] = [];
    const stillLosing: SiteDirection[] = [];
    for (const site of m.sites) {
      if (site.flowsLosingThroughoutWindow === 0 || brokenAnyway.has(`${site.site}\u0000${site.direction}`))
        continue;
      const entry = {
        site: site.site,
        direction: site.direction,
        flows: site.flows,
        flowsLosing: site.flowsLosingThroughoutWindow,
      };
      if (site.flowsLosingThroughoutWindow === site.flows) cutOff.push(entry);
      else stillLosing.push(entry);
    }
    return {
      ...m,
      kind: failure.kind,
      description: failure.description,
      elements: failure.elements,
      cutOff,
      stillLosing,
      singlePointOfFailure: failure.elements.length === 1 && cutOff.length > 0,
    };
  });
  let worstOutageMs = 0;
  let worstOutageFailure: string | null = null;
  for (const f of failures) {
    const worst = Math.max(f.toSite.worstOutageMs, f.toAzure.worstOutageMs);
    if (worst > worstOutageMs) {
      worstOutageMs = worst;
      worstOutageFailure = f.id;
    }
  }
  return {
    design: input.design,
    hub: input.topology.virtualHub.name,
    topologySummary: summarizeTopology(input.topology),
    depth: options.depth,
    timing: options.timing,
    traffic: options.traffic,
    seed: options.seed,
    baseline,
    failures,
    totals: {
      failures: failures.length,
      singlePointsOfFailure: failures.filter((f) => f.singlePointOfFailure).map((f) => f.id),
      failuresCuttingOff: failures.filter((f) => f.cutOff.length > 0).length,
      failuresResettingSessions: failures.filter((f) => f.toSite.sessionResets + f.toAzure.sessionResets > 0)
        .length,
      worstOutageMs,
      worstOutageFailure,
      simulationErrors: failures.filter((f) => f.error !== null).length + (baseline.error === null ? 0 : 1),
    },
  };
}

/**
 * Runs the given failure scenarios one after the other, plus the baseline, and
 * assembles the sweep. Pass the options the failures were enumerated with (their
 * scenarios carry its timeline). The CLI's worker pool produces the identical result.
 */
export function runSweep(
  topology: Topology,
  failures: readonly Failure[],
  overrides: Partial<SweepOptions> & {
    readonly design?: string;
    readonly platform?: MeasureOptions['platform'];
  } = {},
): SweepResult {
  const { design, platform, ...rest } = overrides;
  const options = sweepOptions(rest);
  const measure: MeasureOptions = { timing: options.timing, platform };
  return assembleSweep({
    design: design ?? topology.virtualHub.name,
    topology,
    options,
    baseline: measureFailure(topology, baselineFailure(options), measure),
    failures,
    measurements: failures.map((failure) => measureFailure(topology, failure, measure)),
  });
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
