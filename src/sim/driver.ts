import type { Core, TimerAction, TimerFired } from '../protocols/core.ts';
import { type Simulator, TimerBase } from './kernel.ts';

/** The timer names a core's outputs can arm. */
export type TimerNameOf<Out> =
  Extract<Out, { readonly kind: 'armTimer' }> extends { readonly timer: infer N extends string } ? N : never;

/**
 * Runs a sans-IO core on the simulation kernel: turns its timer requests into
 * scheduled events and feeds expiries back as inputs, and hands every other
 * output to `onOutput`. The live lab has its own driver doing the same with real
 * timers; the core cannot tell the difference.
 */
export class CoreDriver<
  In,
  Out extends { readonly kind: string },
  TimerName extends string = TimerNameOf<Out>,
> {
  /** One kernel timer per name, made on first arm and re-armed in place from then on. */
  private readonly timers = new Map<TimerName, NamedTimer<TimerName>>();
  /**
   * The timer used last. Most arms re-arm the timer that just fired (keepalives,
   * DPD checks, retransmissions), and a hit spares the Map lookup, which with one
   * Map per core is a cache miss or two.
   */
  private lastName: TimerName | undefined;
  private lastTimer: NamedTimer<TimerName> | undefined;

  constructor(
    private readonly sim: Simulator,
    private readonly core: Core<In, Out>,
    private readonly onOutput: (output: Out) => void,
    private readonly timerInput: (timer: NoInfer<TimerName>) => In,
  ) {}

  /** Delivers one input now and carries out what the core asks for. */
  deliver(input: In): void {
    const outputs = this.core.handle(this.sim.nowMs, input);
    for (const output of outputs) {
      if (isTimerAction<TimerName>(output)) this.applyTimer(output);
      else this.onOutput(output);
    }
  }

  /** Cancels every armed timer (e.g. the node hosting the core has died). */
  cancelAllTimers(): void {
    for (const timer of this.timers.values()) this.sim.cancel(timer);
  }

  isArmed(timer: TimerName): boolean {
    return this.timers.get(timer)?.armed ?? false;
  }

  private applyTimer(action: TimerAction<TimerName>): void {
    if (action.kind === 'armTimer') this.sim.arm(this.timerFor(action.timer), action.delayMs);
    else this.sim.cancel(this.timers.get(action.timer));
  }

  private timerFor(name: TimerName): NamedTimer<TimerName> {
    if (name === this.lastName) return this.lastTimer as NamedTimer<TimerName>;
    let timer = this.timers.get(name);
    if (!timer) {
      // Sweep before adding: the new record is not armed yet and must not be swept.
      if (this.timers.size >= this.sweepAbove) this.dropIdleTimers();
      timer = new NamedTimer(this, name);
      this.timers.set(name, timer);
    }
    this.lastName = name;
    this.lastTimer = timer;
    return timer;
  }

  /**
   * BGP names its per-connection timers after the connection (`7:hold`), so over a long
   * run with reconnects the names never repeat: records of idle timers are dropped once
   * the records have doubled since the last sweep. Amortised O(1) per new name, and a
   * timer cancelled and re-armed (IKE's cycle) keeps its record in between.
   */
  private sweepAbove = MIN_SWEEP;

  private dropIdleTimers(): void {
    for (const [name, timer] of this.timers) if (!timer.armed) this.timers.delete(name);
    this.lastName = undefined;
    this.lastTimer = undefined;
    this.sweepAbove = Math.max(MIN_SWEEP, 2 * this.timers.size);
  }

  /** How many timer records the driver holds (for the tests that watch it stay bounded). */
  get timerRecords(): number {
    return this.timers.size;
  }

  /** Public only for this driver's own timers, whose expiry it is. */
  fire(timer: NamedTimer<TimerName>): void {
    this.lastName = timer.name;
    this.lastTimer = timer;
    this.deliver(this.timerInput(timer.name));
  }
}

const MIN_SWEEP = 64;

/** A core's timer, which knows its driver and name: no closure per timer. */
class NamedTimer<Name extends string> extends TimerBase {
  constructor(
    private readonly driver: { fire(timer: NamedTimer<Name>): void },
    readonly name: Name,
  ) {
    super(name);
  }

  expire(): void {
    this.driver.fire(this);
  }
}

function isTimerAction<Name extends string>(output: { readonly kind: string }): output is TimerAction<Name> {
  return output.kind === 'armTimer' || output.kind === 'cancelTimer';
}

/** Convenience for cores whose timer input is the standard `{ kind: 'timer', timer }`. */
export function timerFired<Name extends string>(timer: Name): TimerFired<Name> {
  return { kind: 'timer', timer };
}
