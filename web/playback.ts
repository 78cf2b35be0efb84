import type { FlowMetrics } from '../src/dataplane/meter.ts';
import type { Topology } from '../src/model/index.ts';
import type { DirectionSummary } from '../src/report/metrics.ts';
import { InteractiveRun, type WorldSnapshot } from '../src/scenario/interactive.ts';
import type { ScenarioEvent, TrafficProfile } from '../src/scenario/schema.ts';
import type { TraceEntry } from '../src/sim/trace.ts';

/** The chart's resolution: one sample of the world per virtual second. */
export const SAMPLE_MS = 1000;

export interface RunSettings {
  readonly seed: number;
  readonly traffic: TrafficProfile;
  readonly warmupMs?: number;
}

/** Something the user did, and when (virtual ms since the traffic started). */
export interface RecordedAction {
  readonly atMs: number;
  readonly event: ScenarioEvent;
}

export interface FlowCount {
  readonly delivering: number;
  readonly losing: number;
}

export interface Sample {
  readonly atMs: number;
  /** Per tunnel, in the snapshot's tunnel order. */
  readonly tunnels: readonly { readonly toSite: FlowCount; readonly toAzure: FlowCount }[];
  /** Flows losing packets without any tunnel to go to (no route, or the device is gone). */
  readonly unrouted: { readonly toSite: number; readonly toAzure: number };
}

/**
 * A run the user can play, break and scrub. The simulator is deterministic (same
 * topology, seed and calls give the same states), so the past is never stored as
 * worlds: scrubbing back builds a fresh InteractiveRun and re-applies the recorded
 * actions at their times. What was seen up to the furthest point reached (the
 * horizon) — samples, trace — stays valid and is kept, so the user can scrub back
 * and forth like a recording. Acting in the past rewrites the future: later
 * actions, samples and trace are dropped.
 *
 * Platform-free (no DOM), so tests can drive it directly.
 */
export class Playback {
  private run: InteractiveRun;
  private readonly recorded: RecordedAction[] = [];
  /** recorded[0 .. applied) have been applied to the current run. */
  private applied = 0;
  private readonly sampleList: Sample[] = [];
  /** Every trace entry known up to the horizon, in order (relative times). */
  private readonly knownTrace: TraceEntry[] = [];
  /** How many of the current run's trace entries have been read. */
  private seenInRun = 0;
  private lastSeenAtMs = Number.NEGATIVE_INFINITY;
  private seenAtLastMs = 0;
  private horizon = 0;
  private cachedSnapshot: WorldSnapshot | undefined;
  /** Times a fresh world was built (the first one included): what a scrub back costs. */
  replays = 0;
  /** Bumped whenever the recorded future is dropped: views that cache the trace start over. */
  revision = 0;

  constructor(
    readonly topology: Topology,
    readonly settings: RunSettings,
  ) {
    this.run = this.newRun();
    this.runTo(0);
  }

  get nowMs(): number {
    return this.run.nowMs;
  }

  /** The furthest virtual time reached: the end of what can be scrubbed to without computing. */
  get horizonMs(): number {
    return this.horizon;
  }

  get warmupMs(): number {
    return this.settings.warmupMs ?? 120_000;
  }

  get actions(): readonly RecordedAction[] {
    return this.recorded;
  }

  /** Samples up to the horizon; samples[i].atMs === i × SAMPLE_MS. */
  get samples(): readonly Sample[] {
    return this.sampleList;
  }

  /** The trace up to the horizon (warm-up entries have negative times). */
  get trace(): readonly TraceEntry[] {
    return this.knownTrace;
  }

  /** How many entries of `trace` have happened in the world as it is now (the rest is the recorded future). */
  get traceNowCount(): number {
    return this.seenInRun;
  }

  get flowCount(): number {
    return this.run.flows.length;
  }

  snapshot(): WorldSnapshot {
    this.cachedSnapshot ??= this.run.snapshot();
    return this.cachedSnapshot;
  }

  summary(): { toSite: DirectionSummary; toAzure: DirectionSummary } {
    return this.run.summary();
  }

  flowMetrics(): FlowMetrics[] {
    return this.run.flowMetrics();
  }

  /** Moves the clock to `targetMs` (≥ 0): forward by running, backward by replaying from a fresh world. */
  seek(targetMs: number): void {
    const target = Math.max(0, Math.round(targetMs));
    if (target < this.run.nowMs) {
      this.run = this.newRun();
      this.applied = 0;
      this.seenInRun = 0;
      this.lastSeenAtMs = Number.NEGATIVE_INFINITY;
      this.seenAtLastMs = 0;
    }
    this.runTo(target);
  }

  advance(durationMs: number): void {
    this.seek(this.run.nowMs + Math.max(0, Math.round(durationMs)));
  }

  /** Injects an event now and records it. When the clock is behind the horizon, the recorded future is dropped. */
  apply(event: ScenarioEvent): void {
    const now = this.run.nowMs;
    if (now < this.horizon) {
      this.recorded.splice(this.applied);
      this.sampleList.length = Math.floor(now / SAMPLE_MS) + 1;
      this.knownTrace.length = this.seenInRun;
      this.horizon = now;
      this.revision++;
    }
    this.recorded.push({ atMs: now, event });
    this.run.apply(event);
    this.applied = this.recorded.length;
    this.cachedSnapshot = undefined;
    this.collectTrace();
  }

  private newRun(): InteractiveRun {
    this.replays++;
    this.cachedSnapshot = undefined;
    return new InteractiveRun(this.topology, {
      seed: this.settings.seed,
      traffic: this.settings.traffic,
      warmupMs: this.warmupMs,
    });
  }

  /**
   * Runs to `target`, stopping at every sample boundary and recorded action on the
   * way. At a whole second the sample is taken before the actions of that same
   * millisecond: the order in which they happened when the user clicked.
   */
  private runTo(target: number): void {
    for (;;) {
      const now = this.run.nowMs;
      let stop = Math.min(target, (Math.floor(now / SAMPLE_MS) + 1) * SAMPLE_MS);
      const next = this.recorded[this.applied];
      if (next !== undefined && next.atMs < stop) stop = Math.max(now, next.atMs);
      if (stop > now) {
        this.run.advance(stop - now);
        this.cachedSnapshot = undefined;
      }
      if (stop % SAMPLE_MS === 0) this.takeSample(stop);
      for (
        let action = this.recorded[this.applied];
        action?.atMs === stop;
        action = this.recorded[this.applied]
      ) {
        this.run.apply(action.event);
        this.applied++;
        this.cachedSnapshot = undefined;
      }
      if (stop >= target) break;
    }
    this.collectTrace();
    this.horizon = Math.max(this.horizon, this.run.nowMs);
  }

  private takeSample(atMs: number): void {
    const index = atMs / SAMPLE_MS;
    if (index < this.sampleList.length) return;
    this.sampleList.push(sampleOf(this.snapshot()));
  }

  /** Reads the run's new trace entries; those past the known trace extend it. */
  private collectTrace(): void {
    const fresh = this.run.traceSince(this.lastSeenAtMs).slice(this.seenAtLastMs);
    for (const entry of fresh) {
      if (this.seenInRun >= this.knownTrace.length) this.knownTrace.push(entry);
      this.seenInRun++;
      if (entry.atMs === this.lastSeenAtMs) this.seenAtLastMs++;
      else {
        this.lastSeenAtMs = entry.atMs;
        this.seenAtLastMs = 1;
      }
    }
  }
}

export function sampleOf(snapshot: WorldSnapshot): Sample {
  let routedLosingToSite = 0;
  let routedLosingToAzure = 0;
  const tunnels = snapshot.tunnels.map((t) => {
    routedLosingToSite += t.flows.toSite.losing;
    routedLosingToAzure += t.flows.toAzure.losing;
    return {
      toSite: { delivering: t.flows.toSite.routed - t.flows.toSite.losing, losing: t.flows.toSite.losing },
      toAzure: {
        delivering: t.flows.toAzure.routed - t.flows.toAzure.losing,
        losing: t.flows.toAzure.losing,
      },
    };
  });
  return {
    atMs: snapshot.atMs,
    tunnels,
    unrouted: {
      toSite: snapshot.traffic.toSite.losing - routedLosingToSite,
      toAzure: snapshot.traffic.toAzure.losing - routedLosingToAzure,
    },
  };
}
