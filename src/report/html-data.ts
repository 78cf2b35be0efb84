/**
 * The data behind the HTML report (docs/REPORT.md): for each design, the sweep
 * and the advice as the CLI computed them, plus what a picture needs — the world
 * in normal operation and, for every failure, the world at one representative
 * moment, per-second flow counts per tunnel for the charts, and the trace entries
 * the charts mark. Platform-free; src/server/build-report.ts turns it into a page.
 *
 * The report and the sweep agree by construction: each failure is replayed as an
 * `InteractiveRun` on the same (scoped) topology with the same seed, traffic and
 * warm-up the sweep used, its events placed on the kernel exactly as `simulate()`
 * places them (so they run in the same order among the other events of their
 * millisecond), and the run is only read between steps. At the end, the run's
 * per-direction numbers are compared with the sweep's; a difference is a bug and
 * throws.
 *
 * The representative moment
 * -------------------------
 * A failure whose element returns is drawn one second before it returns
 * (`recoverAtMs − 1 s`, 4:59 by default): the last second of the window the SPOF
 * criterion judges, when detection and failover are long over — the seed's
 * "failure" diagram: where the traffic went, what moved, and whether a site is
 * still cut off. A tunnel reset brings nothing back (at 4:59 it has long healed),
 * so it is drawn at its worst moment instead: the first millisecond at which the
 * most flows were losing packets at once, found exactly from the flows' outage
 * intervals (not from the per-second samples, which miss an 80 ms outage), or at
 * the reset itself when no flow lost anything. Normal operation is the no-failure
 * baseline run at 0:00, when the traffic starts after the warm-up.
 */
import type { Advice } from '../analysis/advise.ts';
import type { Comparison } from '../analysis/compare.ts';
import { enumerateFailures, type Failure, type SweepOptions } from '../analysis/failures.ts';
import { scopeOf } from '../analysis/scope.ts';
import {
  assembleSweep,
  baselineFailure,
  type DirectionImpact,
  type FailureMeasurement,
  type SweepResult,
} from '../analysis/sweep.ts';
import type { Direction } from '../dataplane/flow.ts';
import type { FlowMetrics } from '../dataplane/meter.ts';
import type { Topology } from '../model/schema.ts';
import { InteractiveRun, type WorldSnapshot } from '../scenario/interactive.ts';
import { applyEvent, describeEvent } from '../scenario/simulate.ts';
import type { TraceEntry } from '../sim/trace.ts';
import { encodeRuns, type ReportSeries } from './html-series.ts';
import { type DirectionSummary, summarizeDirection } from './metrics.ts';

export const REPORT_DATA_VERSION = 1;

/** One sample of the world per virtual second, as the web UI's charts. */
export const SAMPLE_MS = 1000;

/**
 * Trace events the charts mark (web/trace-events.ts `notableOf` says them in
 * words); test/report/html-data.test.ts checks that this list covers every event
 * `notableOf` knows, so a new notable event cannot silently go missing here.
 */
export const MARKED_EVENTS: readonly string[] = [
  'instance.state',
  'hub.nextHop',
  'hub.routes',
  'ip.owner',
  'bgp.established',
  'bgp.down',
  'bgp.rejected',
  'ike.tunnel',
  'device.fail',
  'device.recover',
  'path.down',
  'path.up',
  'tunnel.reset',
  'gateway.rejected',
];

export type MomentRule = 'traffic-start' | 'before-recovery' | 'worst';

export interface ReportMoment {
  /** Milliseconds after the traffic started. */
  readonly atMs: number;
  readonly rule: MomentRule;
  /** Why this moment, in words. */
  readonly why: string;
}

export interface ReportWorld {
  readonly moment: ReportMoment;
  readonly snapshot: WorldSnapshot;
  /**
   * Each BGP speaker's latest `bgp.state` trace entry up to the moment: the FSM
   * states the drawing names on a session badge (web/trace-events.ts bgpStates).
   */
  readonly bgpStates: readonly TraceEntry[];
}

/** One scenario replayed for the report: the baseline, or one failure of the sweep. */
export interface RunReport {
  readonly id: string;
  readonly world: ReportWorld;
  readonly series: ReportSeries;
  /** The scenario's events, in time order, in words. */
  readonly events: readonly { readonly atMs: number; readonly text: string }[];
  /** Trace entries the charts mark (MARKED_EVENTS), from the traffic start to the end of the run. */
  readonly markers: readonly TraceEntry[];
  /** The run's per-direction numbers at its end: the sweep's, plus path changes. */
  readonly summary: { readonly toSite: DirectionSummary; readonly toAzure: DirectionSummary };
  /** The moment most flows were losing at once, from the failure on (from 0:00 for the baseline); null if none lost. */
  readonly peakLosing: { readonly atMs: number; readonly flows: number } | null;
}

export interface DesignReport {
  readonly name: string;
  /** The topology file as given. */
  readonly file: string;
  /** The whole topology; a failure's drawing shows the sites its sweep run simulated (`scope.sites`). */
  readonly topology: Topology;
  readonly sweep: SweepResult;
  /** The findings of `vwan-ha advise` on the same single-failure sweep. */
  readonly advice: Advice | null;
  /** Normal operation: null when the simulator could not run the baseline (see `sweep.baseline.error`). */
  readonly baseline: RunReport | null;
  /** One per `sweep.failures` entry, in its order; null where the sweep recorded a simulator error. */
  readonly failures: readonly (RunReport | null)[];
}

export type ReportCommand = 'sweep' | 'advise' | 'compare';

export interface HtmlReportData {
  readonly version: typeof REPORT_DATA_VERSION;
  readonly command: ReportCommand;
  readonly title: string;
  /** The command line that made it, from its inputs only (no clock, no machine), so equal inputs give equal bytes. */
  readonly invocation: string;
  readonly designs: readonly DesignReport[];
  /** `vwan-ha compare`'s table; null for one design. */
  readonly comparison: Comparison | null;
}

export interface DesignInput {
  readonly name: string;
  readonly file: string;
  readonly topology: Topology;
  readonly sweep: SweepResult;
  readonly advice: Advice | null;
}

export function reportData(input: {
  readonly command: ReportCommand;
  readonly title: string;
  readonly invocation: string;
  readonly designs: readonly DesignInput[];
  readonly comparison: Comparison | null;
}): HtmlReportData {
  return {
    version: REPORT_DATA_VERSION,
    command: input.command,
    title: input.title,
    invocation: input.invocation,
    designs: input.designs.map(designReport),
    comparison: input.comparison,
  };
}

/** Replays the baseline and every failure of a design's sweep. */
export function designReport(input: DesignInput): DesignReport {
  const { topology, sweep } = input;
  const options = optionsOf(sweep);
  const failures = enumerateFailures(topology, options);
  if (failures.length !== sweep.failures.length) {
    throw new Error(
      `the sweep of ${input.name} has ${sweep.failures.length} failures, the topology ${failures.length}`,
    );
  }
  const baseline =
    sweep.baseline.error === null
      ? replay(topology, baselineFailure(options), sweep.baseline, options, 'baseline')
      : null;
  return {
    name: input.name,
    file: input.file,
    topology,
    sweep,
    advice: input.advice,
    baseline,
    failures: failures.map((failure, index) => {
      const measured = sweep.failures[index];
      if (!measured || measured.id !== failure.id) {
        throw new Error(`sweep entry ${index} of ${input.name} is not ${failure.id}`);
      }
      return measured.error === null ? replay(topology, failure, measured, options, 'failure') : null;
    }),
  };
}

/**
 * The single-failure sweep inside a depth-2 sweep — singles come first, with the
 * same ids, seeds and measurements — which is what advise works from, without
 * simulating them again.
 */
export function singleFailureSweep(topology: Topology, sweep: SweepResult): SweepResult {
  if (sweep.depth === 1) return sweep;
  const options: SweepOptions = { ...optionsOf(sweep), depth: 1 };
  const failures = enumerateFailures(topology, options);
  return assembleSweep({
    design: sweep.design,
    topology,
    options,
    baseline: sweep.baseline,
    failures,
    measurements: sweep.failures.slice(0, failures.length),
  });
}

function optionsOf(sweep: SweepResult): SweepOptions {
  return { depth: sweep.depth, timing: sweep.timing, traffic: sweep.traffic, seed: sweep.seed };
}

function replay(
  topology: Topology,
  failure: Failure,
  measured: FailureMeasurement,
  options: SweepOptions,
  role: 'baseline' | 'failure',
): RunReport {
  const { timing } = options;
  const scoped = scopeOf(topology, failure.elements).topology;
  const fixedMoment: ReportMoment | null =
    role === 'baseline'
      ? { atMs: 0, rule: 'traffic-start', why: 'when the traffic starts, after the warm-up' }
      : failure.recovers
        ? {
            atMs: timing.recoverAtMs - SAMPLE_MS,
            rule: 'before-recovery',
            why: 'one second before the failed element returns: the end of the window the SPOF criterion judges',
          }
        : null;
  const played = play(scoped, failure, fixedMoment?.atMs ?? null);
  checkAgreement(failure.id, played.summary, measured);
  const peakLosing = peakOf(
    played.flows,
    role === 'baseline' ? 0 : timing.failAtMs,
    failure.scenario.duration,
  );
  let world = played.world;
  let moment = fixedMoment;
  if (!moment) {
    // Nothing comes back: draw the worst moment, which is known only once the run is over.
    moment = peakLosing
      ? {
          atMs: peakLosing.atMs,
          rule: 'worst',
          why: `the moment the most flows were losing packets at once (${peakLosing.flows})`,
        }
      : { atMs: timing.failAtMs, rule: 'worst', why: 'the failure itself: no flow lost a packet' };
    world = play(scoped, failure, moment.atMs, moment.atMs).world;
  }
  if (!world) throw new Error(`${failure.id}: no world captured at ${moment.atMs} ms`);
  return {
    id: failure.id,
    world: { ...world, moment },
    series: played.series,
    events: [...failure.scenario.events]
      .sort((a, b) => a.at - b.at)
      .map((event) => ({ atMs: event.at, text: describeEvent(event) })),
    markers: played.markers,
    summary: played.summary,
    peakLosing,
  };
}

interface Played {
  readonly world: Omit<ReportWorld, 'moment'> | null;
  readonly series: ReportSeries;
  readonly markers: readonly TraceEntry[];
  readonly flows: readonly FlowMetrics[];
  readonly summary: { readonly toSite: DirectionSummary; readonly toAzure: DirectionSummary };
}

/**
 * Runs the scenario second by second, sampling the flow counts at every whole
 * second (after everything that happened up to and including that millisecond)
 * and capturing the world at `momentAtMs`; stops at `stopAtMs` (the end of the run
 * by default).
 */
function play(topology: Topology, failure: Failure, momentAtMs: number | null, stopAtMs?: number): Played {
  const { scenario } = failure;
  const run = new InteractiveRun(topology, {
    seed: scenario.seed,
    traffic: scenario.traffic,
    warmupMs: scenario.warmup,
  });
  // Exactly where simulate() schedules them: right after the traffic is attached.
  for (const event of scenario.events) {
    run.world.sim.scheduleAt(run.warmupMs + event.at, () => applyEvent(run.world, event), 'scenario');
  }
  const endMs = Math.min(stopAtMs ?? scenario.duration, scenario.duration);
  const advanceTo = (atMs: number) => run.advance(atMs - run.nowMs);
  const counts: SampleCounts[] = [];
  let world: Played['world'] = null;
  for (let atMs = 0; atMs <= endMs; atMs += SAMPLE_MS) {
    if (momentAtMs !== null && world === null && momentAtMs <= atMs) {
      advanceTo(momentAtMs);
      world = { snapshot: run.snapshot(), bgpStates: latestBgpStates(run.traceFrom(0)) };
    }
    advanceTo(atMs);
    counts.push(countsOf(run.snapshot()));
  }
  if (momentAtMs !== null && world === null && momentAtMs <= endMs) {
    advanceTo(momentAtMs);
    world = { snapshot: run.snapshot(), bgpStates: latestBgpStates(run.traceFrom(0)) };
  }
  advanceTo(endMs);
  const flows = run.flowMetrics();
  const marked = new Set(MARKED_EVENTS);
  return {
    world,
    series: seriesOf(counts, run.snapshot()),
    markers: run.traceSince(0).filter((entry) => marked.has(entry.event)),
    flows,
    summary: { toSite: summarizeDirection('toSite', flows), toAzure: summarizeDirection('toAzure', flows) },
  };
}

/** Each speaker's latest `bgp.state` entry, with only the state it went to (the drawing needs no more). */
function latestBgpStates(trace: readonly TraceEntry[]): TraceEntry[] {
  const latest = new Map<string, TraceEntry>();
  for (const entry of trace) {
    if (entry.event !== 'bgp.state') continue;
    const to = entry.detail?.to ?? null;
    latest.set(entry.source, { atMs: entry.atMs, source: entry.source, event: entry.event, detail: { to } });
  }
  return [...latest.values()];
}

interface SampleCounts {
  /** Per tunnel in snapshot order: delivering and losing, per direction. */
  readonly tunnels: readonly Readonly<Record<Direction, { delivering: number; losing: number }>>[];
  readonly unrouted: Readonly<Record<Direction, number>>;
}

/** What the web UI's playback samples (web/playback.ts sampleOf): per tunnel, flows delivering and losing in it. */
function countsOf(snapshot: WorldSnapshot): SampleCounts {
  const routedLosing = { toSite: 0, toAzure: 0 };
  const tunnels = snapshot.tunnels.map((t) => {
    routedLosing.toSite += t.flows.toSite.losing;
    routedLosing.toAzure += t.flows.toAzure.losing;
    return {
      toSite: { delivering: t.flows.toSite.routed - t.flows.toSite.losing, losing: t.flows.toSite.losing },
      toAzure: {
        delivering: t.flows.toAzure.routed - t.flows.toAzure.losing,
        losing: t.flows.toAzure.losing,
      },
    };
  });
  return {
    tunnels,
    unrouted: {
      toSite: snapshot.traffic.toSite.losing - routedLosing.toSite,
      toAzure: snapshot.traffic.toAzure.losing - routedLosing.toAzure,
    },
  };
}

function seriesOf(counts: readonly SampleCounts[], last: WorldSnapshot): ReportSeries {
  const column = (pick: (c: SampleCounts) => number) => encodeRuns(counts.map(pick));
  return {
    stepMs: SAMPLE_MS,
    samples: counts.length,
    tunnels: last.tunnels.map((tunnel, i) => {
      const of = (direction: Direction, what: 'delivering' | 'losing') =>
        column((c) => c.tunnels[i]?.[direction][what] ?? 0);
      return {
        tunnel: tunnel.id,
        toSite: { delivering: of('toSite', 'delivering'), losing: of('toSite', 'losing') },
        toAzure: { delivering: of('toAzure', 'delivering'), losing: of('toAzure', 'losing') },
      };
    }),
    unrouted: { toSite: column((c) => c.unrouted.toSite), toAzure: column((c) => c.unrouted.toAzure) },
  };
}

/** The first millisecond in [fromMs, untilMs) with the most flows in an outage, exactly, from the outage intervals. */
export function peakOf(
  flows: readonly FlowMetrics[],
  fromMs: number,
  untilMs: number,
): { atMs: number; flows: number } | null {
  const edges: { atMs: number; delta: number }[] = [];
  for (const flow of flows) {
    for (const outage of flow.outages) {
      const start = Math.max(outage.startMs, fromMs);
      const end = Math.min(outage.endMs, untilMs);
      if (end > start) edges.push({ atMs: start, delta: 1 }, { atMs: end, delta: -1 });
    }
  }
  // An outage ends before another starts at the same millisecond: intervals are [start, end).
  edges.sort((a, b) => a.atMs - b.atMs || a.delta - b.delta);
  let losing = 0;
  let best: { atMs: number; flows: number } | null = null;
  for (const edge of edges) {
    losing += edge.delta;
    if (losing > (best?.flows ?? 0)) best = { atMs: edge.atMs, flows: losing };
  }
  return best;
}

const COMPARED: readonly (keyof DirectionImpact)[] = [
  'flows',
  'flowsHit',
  'packetsSent',
  'packetsLost',
  'worstOutageMs',
  'medianOutageMs',
  'sessionResets',
  'flowsReset',
];

function checkAgreement(id: string, summary: Played['summary'], measured: FailureMeasurement): void {
  for (const direction of ['toSite', 'toAzure'] as const) {
    for (const key of COMPARED) {
      const replayed = summary[direction][key];
      const swept = measured[direction][key];
      if (replayed !== swept) {
        throw new Error(
          `the report's replay of "${id}" disagrees with the sweep: ${direction}.${key} ${replayed} ≠ ${swept}`,
        );
      }
    }
  }
}
