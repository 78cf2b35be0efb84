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

interface ScheduledEvent extends EventHandle {
  readonly run: () => void;
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
    return this.scheduleAt(this.clockMs + Math.max(0, Math.ceil(delayMs)), run, label);
  }

  scheduleAt(atMs: number, run: () => void, label = ''): EventHandle {
    if (!Number.isFinite(atMs)) throw new Error(`cannot schedule "${label}" at ${atMs}`);
    const event: ScheduledEvent = {
      atMs: Math.max(this.clockMs, Math.ceil(atMs)),
      label,
      cancelled: false,
      run,
    };
    this.queue.push(event.atMs, this.seq++, event);
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
      const entry = this.queue.pop();
      if (!entry) break;
      const event = entry.item;
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
