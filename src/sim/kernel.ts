import { EventHeap } from './heap.ts';
import { Rng } from './rng.ts';
import { Trace } from './trace.ts';

/**
 * Discrete-event kernel: an integer-millisecond virtual clock and one queue of
 * callbacks. It has one job — order events in time (ns-3's scheduler) — and every
 * model object acts only from inside a scheduled event, so no model ever reads a
 * wall clock.
 */
export interface EventHandle {
  readonly atMs: number;
  readonly label: string;
  /** Set by cancel(); the heap entry stays and is skipped when popped (lazy deletion). */
  cancelled: boolean;
}

/** A class, not an object literal: one hidden class for every event keeps the hot loop monomorphic. */
class ScheduledEvent implements EventHandle {
  cancelled = false;
  constructor(
    readonly atMs: number,
    readonly seq: number,
    readonly label: string,
    readonly run: () => void,
  ) {}
}

export interface SimulatorOptions {
  readonly seed: number;
  /** Record a trace (default true). Off for very large runs. */
  readonly trace?: boolean;
}

export class Simulator {
  readonly rng: Rng;
  readonly trace: Trace;
  private clockMs = 0;
  private seq = 0;
  private readonly queue = new EventHeap<ScheduledEvent>();
  private executed = 0;

  constructor(options: SimulatorOptions) {
    this.rng = new Rng(options.seed);
    this.trace = new Trace(options.trace ?? true);
  }

  get nowMs(): number {
    return this.clockMs;
  }

  /** Events executed so far (cancelled ones excluded): the kernel's own work counter. */
  get eventsExecuted(): number {
    return this.executed;
  }

  get pending(): number {
    return this.queue.size;
  }

  /** Runs `run` after `delayMs` (rounded up to whole ms; never in the past). */
  schedule(delayMs: number, run: () => void, label = ''): EventHandle {
    return this.scheduleAt(delayMs > 0 ? this.clockMs + Math.ceil(delayMs) : this.clockMs, run, label);
  }

  scheduleAt(atMs: number, run: () => void, label = ''): EventHandle {
    if (!Number.isFinite(atMs)) throw new Error(`cannot schedule "${label}" at ${atMs}`);
    const at = atMs > this.clockMs ? Math.ceil(atMs) : this.clockMs;
    const event = new ScheduledEvent(at, this.seq++, label, run);
    this.queue.push(event);
    return event;
  }

  cancel(handle: EventHandle | undefined): void {
    if (handle) handle.cancelled = true;
  }

  /**
   * Executes every event due at or before `untilMs`, then leaves the clock at
   * `untilMs`. Without a bound it runs until the queue is empty.
   */
  run(untilMs = Number.POSITIVE_INFINITY): void {
    for (;;) {
      const next = this.queue.peekTime();
      if (next === undefined || next > untilMs) break;
      const event = this.queue.pop();
      if (!event) break;
      if (event.cancelled) continue;
      this.clockMs = event.atMs;
      this.executed++;
      event.run();
    }
    if (Number.isFinite(untilMs) && untilMs > this.clockMs) this.clockMs = untilMs;
  }

  /** Runs for `durationMs` of virtual time from now. */
  advance(durationMs: number): void {
    this.run(this.clockMs + durationMs);
  }
}
