import { EventHeap } from './heap.ts';
import { Rng } from './rng.ts';
import { Trace } from './trace.ts';

/**
 * Discrete-event kernel: an integer-millisecond virtual clock and one queue of
 * callbacks. It has one job — order events in time (ns-3's scheduler) — and every
 * model object acts only from inside a scheduled event, so no model ever reads a
 * wall clock.
 *
 * Events run in exactly (time, scheduling sequence) order. The heap holds plain
 * numbers (time, sequence, slot); a pending event's record sits in its slot and
 * names the one heap entry that stands for it, its carrier. Cancelling only clears
 * the record: an entry that is not its slot's carrier is dropped when it surfaces
 * (lazy deletion by generation — no sift, no allocation). Re-arming a pending timer
 * later, as every BGP keepalive does to the hold timer, leaves the heap alone too:
 * when the carrier surfaces it goes back in under the timer's current key (as Go's
 * runtime timers do), so three restarts per hold period cost one heap round trip.
 * A carrier's key is never later than its record's, so nothing fires late.
 */

/**
 * A reusable event, for timers that re-arm constantly (the protocol cores' named
 * timers): arming, re-arming and cancelling allocate nothing. `Timer` runs a
 * callback; a subclass can implement `expire` with its own fields instead, which
 * spares a closure and its context — objects an expiry would otherwise touch.
 */
export abstract class TimerBase {
  /** The kernel's bookkeeping: slot while pending (-1 otherwise), key, and carrier's sequence. */
  slot = -1;
  dueMs = 0;
  seq = -1;
  carrier = -1;

  /** `label` names the timer in errors. */
  constructor(readonly label: string) {}

  get armed(): boolean {
    return this.slot >= 0;
  }

  abstract expire(): void;
}

export class Timer extends TimerBase {
  constructor(
    private readonly run: () => void,
    label = '',
  ) {
    super(label);
  }

  expire(): void {
    this.run();
  }
}

export interface SimulatorOptions {
  readonly seed: number;
  /** Record a trace (default true). Off for very large runs. */
  readonly trace?: boolean;
}

const FREE = -1;

export class Simulator {
  readonly rng: Rng;
  readonly trace: Trace;
  private clockMs = 0;
  private seq = 0;
  private readonly queue = new EventHeap();
  private executed = 0;
  private readonly slots: (TimerBase | null)[] = [];
  private readonly freeSlots: number[] = [];

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

  /** Heap entries, stale ones included until they surface. */
  get pending(): number {
    return this.queue.size;
  }

  /** Runs `run` once after `delayMs` (rounded up to whole ms; never in the past). */
  schedule(delayMs: number, run: () => void, label = ''): void {
    this.armAt(new Timer(run, label), this.dueAfter(delayMs));
  }

  scheduleAt(atMs: number, run: () => void, label = ''): void {
    this.armAt(new Timer(run, label), atMs);
  }

  /** Arms `timer` to expire after `delayMs`; a pending expiry is replaced, as by cancel + schedule. */
  arm(timer: TimerBase, delayMs: number): void {
    this.armAt(timer, this.dueAfter(delayMs));
  }

  armAt(timer: TimerBase, atMs: number): void {
    if (!Number.isFinite(atMs)) throw new Error(`cannot schedule "${timer.label}" at ${atMs}`);
    const at = atMs > this.clockMs ? Math.ceil(atMs) : this.clockMs;
    const seq = this.seq++;
    if (timer.slot === FREE) timer.slot = this.takeSlot(timer);
    else if (at >= timer.dueMs) {
      timer.dueMs = at;
      timer.seq = seq;
      return;
    }
    timer.dueMs = at;
    timer.seq = seq;
    timer.carrier = seq;
    this.queue.push(at, seq, timer.slot);
  }

  /** Disarms `timer`; a no-op when it is not pending (already fired, cancelled, never armed). */
  cancel(timer: TimerBase | undefined): void {
    if (timer && timer.slot !== FREE) this.release(timer);
  }

  /**
   * Executes every event due at or before `untilMs`, then leaves the clock at
   * `untilMs`. Without a bound it runs until the queue is empty.
   */
  run(untilMs = Number.POSITIVE_INFINITY): void {
    const { queue, slots } = this;
    for (;;) {
      const at = queue.topTime;
      if (at > untilMs || queue.size === 0) break;
      const timer = slots[queue.topSlot];
      const carried = queue.topSeq;
      if (!timer || timer.carrier !== carried) {
        queue.removeTop();
      } else if (timer.seq !== carried) {
        timer.carrier = timer.seq;
        queue.replaceTop(timer.dueMs, timer.seq, timer.slot);
      } else {
        queue.removeTop();
        this.release(timer);
        this.clockMs = at;
        this.executed++;
        timer.expire();
      }
    }
    if (Number.isFinite(untilMs) && untilMs > this.clockMs) this.clockMs = untilMs;
  }

  /** Runs for `durationMs` of virtual time from now. */
  advance(durationMs: number): void {
    this.run(this.clockMs + durationMs);
  }

  private dueAfter(delayMs: number): number {
    return delayMs > 0 ? this.clockMs + Math.ceil(delayMs) : this.clockMs;
  }

  private takeSlot(timer: TimerBase): number {
    const slot = this.freeSlots.pop() ?? this.slots.length;
    this.slots[slot] = timer;
    return slot;
  }

  /** Its heap entries stay behind, stale: a free slot or a later record carries none of them. */
  private release(timer: TimerBase): void {
    this.slots[timer.slot] = null;
    this.freeSlots.push(timer.slot);
    timer.slot = FREE;
    timer.carrier = FREE;
  }
}
