/**
 * The contract every protocol core keeps (DESIGN.md, "Protocol cores are sans-IO").
 *
 * A core never touches sockets, timers or a clock. The runtime around it — the
 * simulation kernel or the live lab — feeds it inputs stamped with the current
 * time and carries out the outputs it returns. That is what lets one BGP speaker
 * and one IKE tunnel run both in the simulator and on the wire.
 */
export interface Core<In, Out> {
  handle(nowMs: number, input: In): Out[];
}

/**
 * Timer requests are outputs like any other. A core names its timers; arming a
 * timer that is already armed re-arms it (the runtime cancels the old one), so a
 * core never has to remember timer handles.
 */
export type TimerAction<Name extends string> =
  | { readonly kind: 'armTimer'; readonly timer: Name; readonly delayMs: number }
  | { readonly kind: 'cancelTimer'; readonly timer: Name };

/** The input a runtime delivers when an armed timer expires. */
export interface TimerFired<Name extends string> {
  readonly kind: 'timer';
  readonly timer: Name;
}

/** Exhaustiveness guard for `switch` on a discriminated union's `kind`. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}
