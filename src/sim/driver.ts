import type { Core, TimerAction, TimerFired } from '../protocols/core.ts';
import type { EventHandle, Simulator } from './kernel.ts';

/**
 * Runs a sans-IO core on the simulation kernel: turns its timer requests into
 * scheduled events and feeds expiries back as inputs, and hands every other
 * output to `onOutput`. The live lab has its own driver doing the same with real
 * timers; the core cannot tell the difference.
 */
/** The timer names a core's outputs can arm. */
export type TimerNameOf<Out> =
  Extract<Out, { readonly kind: 'armTimer' }> extends { readonly timer: infer N extends string } ? N : never;

export class CoreDriver<
  In,
  Out extends { readonly kind: string },
  TimerName extends string = TimerNameOf<Out>,
> {
  private readonly timers = new Map<TimerName, EventHandle>();

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
    for (const handle of this.timers.values()) this.sim.cancel(handle);
    this.timers.clear();
  }

  isArmed(timer: TimerName): boolean {
    return this.timers.has(timer);
  }

  private applyTimer(action: TimerAction<TimerName>): void {
    this.sim.cancel(this.timers.get(action.timer));
    this.timers.delete(action.timer);
    if (action.kind === 'armTimer') {
      this.timers.set(action.timer, this.sim.schedule(action.delayMs, this.fireFor(action.timer)));
    }
  }

  /** One expiry handler per timer name, made once: arming a timer then costs no closure. */
  private readonly fires = new Map<TimerName, () => void>();

  private fireFor(timer: TimerName): () => void {
    let fire = this.fires.get(timer);
    if (!fire) {
      fire = () => {
        this.timers.delete(timer);
        this.deliver(this.timerInput(timer));
      };
      this.fires.set(timer, fire);
    }
    return fire;
  }
}

function isTimerAction<Name extends string>(output: { readonly kind: string }): output is TimerAction<Name> {
  return output.kind === 'armTimer' || output.kind === 'cancelTimer';
}

/** Convenience for cores whose timer input is the standard `{ kind: 'timer', timer }`. */
export function timerFired<Name extends string>(timer: Name): TimerFired<Name> {
  return { kind: 'timer', timer };
}
