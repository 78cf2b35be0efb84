import { describe, expect, it } from 'vitest';
import type { Core, TimerAction, TimerFired } from '../../src/protocols/core.ts';
import { CoreDriver, timerFired } from '../../src/sim/driver.ts';
import { Simulator } from '../../src/sim/kernel.ts';

type Name = 'a' | 'b';
type In = TimerFired<Name> | { readonly kind: 'do'; readonly actions: TimerAction<Name>[] };
type Out = TimerAction<Name> | { readonly kind: 'fired'; readonly timer: Name };

/** A core that does what its input says and reports each expiry. */
const scripted: Core<In, Out> = {
  handle: (_nowMs, input) => (input.kind === 'do' ? input.actions : [{ kind: 'fired', timer: input.timer }]),
};

function setup() {
  const sim = new Simulator({ seed: 1 });
  const fired: string[] = [];
  const driver = new CoreDriver<In, Out, Name>(
    sim,
    scripted,
    (output) => {
      if (output.kind === 'fired') fired.push(`${output.timer}@${sim.nowMs}`);
    },
    timerFired,
  );
  const arm = (timer: Name, delayMs: number): TimerAction<Name> => ({ kind: 'armTimer', timer, delayMs });
  const cancel = (timer: Name): TimerAction<Name> => ({ kind: 'cancelTimer', timer });
  const act = (...actions: TimerAction<Name>[]) => driver.deliver({ kind: 'do', actions });
  return { sim, fired, driver, arm, cancel, act };
}

describe('CoreDriver', () => {
  it('re-arming a named timer replaces it; cancelling disarms it; expiry disarms it', () => {
    const { sim, fired, driver, arm, cancel, act } = setup();
    act(arm('a', 10), arm('b', 10), arm('a', 30), cancel('b'));
    expect(driver.isArmed('a')).toBe(true);
    expect(driver.isArmed('b')).toBe(false);
    sim.run(30);
    expect(fired).toEqual(['a@30']);
    expect(driver.isArmed('a')).toBe(false);
    act(cancel('a'), arm('b', 5), arm('a', 5));
    sim.run();
    expect(fired).toEqual(['a@30', 'b@35', 'a@35']);
  });

  it('cancelAllTimers disarms every timer, and timers can be armed again afterwards', () => {
    const { sim, fired, driver, arm, act } = setup();
    act(arm('a', 10), arm('b', 20));
    driver.cancelAllTimers();
    expect(driver.isArmed('a') || driver.isArmed('b')).toBe(false);
    sim.run(50);
    expect(fired).toEqual([]);
    act(arm('b', 1));
    sim.run();
    expect(fired).toEqual(['b@51']);
  });
});

describe('CoreDriver with ever-new timer names (BGP names timers per connection)', () => {
  type Dyn = `${number}:hold`;
  type DynIn = TimerFired<Dyn> | { readonly kind: 'do'; readonly actions: TimerAction<Dyn>[] };
  type DynOut = TimerAction<Dyn> | { readonly kind: 'fired'; readonly timer: Dyn };
  const core: Core<DynIn, DynOut> = {
    handle: (_nowMs, input) =>
      input.kind === 'do' ? input.actions : [{ kind: 'fired', timer: input.timer }],
  };

  it('keeps records of idle timers bounded, and still fires, cancels and re-arms correctly', () => {
    const sim = new Simulator({ seed: 1 });
    const fired: string[] = [];
    const driver = new CoreDriver<DynIn, DynOut, Dyn>(
      sim,
      core,
      (output) => {
        if (output.kind === 'fired') fired.push(output.timer);
      },
      timerFired,
    );
    const act = (...actions: TimerAction<Dyn>[]) => driver.deliver({ kind: 'do', actions });
    // 10,000 connections come and go; each arms a hold timer; every third is cancelled before it fires,
    // and one long-lived timer stays armed throughout.
    act({ kind: 'armTimer', timer: '0:hold', delayMs: 1_000_000 });
    let maxRecords = 0;
    for (let id = 1; id <= 10_000; id++) {
      const timer = `${id}:hold` as Dyn;
      act({ kind: 'armTimer', timer, delayMs: 5 });
      if (id % 3 === 0) act({ kind: 'cancelTimer', timer });
      sim.run(sim.nowMs + 10);
      maxRecords = Math.max(maxRecords, driver.timerRecords);
    }
    expect(maxRecords).toBeLessThanOrEqual(128);
    expect(fired.length).toBe(10_000 - Math.floor(10_000 / 3));
    expect(driver.isArmed('0:hold')).toBe(true);
    // A name seen long ago and swept works like a new one.
    act({ kind: 'armTimer', timer: '1:hold', delayMs: 1 }, { kind: 'armTimer', timer: '2:hold', delayMs: 2 });
    act({ kind: 'cancelTimer', timer: '1:hold' });
    sim.run(sim.nowMs + 5);
    expect(fired.slice(-1)).toEqual(['2:hold']);
    sim.run(1_000_000);
    expect(fired.slice(-1)).toEqual(['0:hold']);
  });
});
