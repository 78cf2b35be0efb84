/**
 * The steady DPD check (IkeEndpoint.steadyDpdCheck) is a shortcut for the most
 * frequent input of a large run, and must be invisible: the same runs with the
 * shortcut turned off produce the same results, trace included.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateHub } from '../../src/analysis/generate.ts';
import type { ConnectionMode } from '../../src/protocols/ike/config.ts';
import { IkeEndpoint } from '../../src/protocols/ike/endpoint.ts';
import { scenarioSchema } from '../../src/scenario/schema.ts';
import { simulate } from '../../src/scenario/simulate.ts';
import { MINUTE, makeTunnel } from './harness.ts';
import { action, apply, scenario } from './random-lives.ts';

/** ESP as the DPD checks see it: mostly seen just now, sometimes a while ago (traffic paused or cut). */
const lags = fc.constantFrom<readonly number[]>([0], [0, 0, 0, 7_000], [0, 3_000], [7_000]);

type Shortcut = (now: number, inbound: unknown) => boolean;
const prototype = IkeEndpoint.prototype as unknown as { steadyDpdCheck: Shortcut };

/** Runs `body` with the shortcut on or off; counts the checks that took it. */
function withShortcut<T>(shortcut: 'on' | 'off', body: () => T): { result: T; taken: number } {
  const original = prototype.steadyDpdCheck;
  let taken = 0;
  prototype.steadyDpdCheck = function (this: IkeEndpoint, now, inbound) {
    if (shortcut === 'off') return false;
    const done = original.call(this, now, inbound);
    if (done) taken++;
    return done;
  };
  try {
    return { result: body(), taken };
  } finally {
    prototype.steadyDpdCheck = original;
  }
}

function hubRun(shortcut: 'on' | 'off'): { result: string; taken: number } {
  return withShortcut(shortcut, () => {
    const loaded = generateHub({ sites: 4, prefixesPerSite: 2, vnets: 1 });
    if (!loaded.ok) throw new Error('generated hub does not load');
    // Short CHILD SA lifetimes, so rekeys (new SAs under steady checks) happen within the hour.
    for (const connection of loaded.topology.vpnConnections)
      for (const link of connection.vpnLinkConnections)
        (link.ipsec as { saLifeTimeSeconds: number }).saLifeTimeSeconds = 1_200;
    const hubScenario = scenarioSchema.parse({
      duration: '1h',
      seed: 5,
      traffic: { flowsPerPair: 5, ratePps: 10 },
      events: [
        'fail IN_0 unplanned at 5m',
        'recover IN_0 at 12m',
        'down link site0002-isp at 20m',
        'up link site0002-isp at 20m20s',
        'down link site0003-isp at 25m',
        'up link site0003-isp at 29m',
        'fail device site0004-fw at 33m',
        'recover device site0004-fw at 36m',
        'fail IN_1 planned at 45m',
        'recover IN_1 at 50m',
      ],
    });
    return JSON.stringify(simulate(loaded.topology, hubScenario, { trace: true }));
  });
}

describe('steady DPD checks', () => {
  it('change nothing: a run with failures, outages and rekeys is identical without them', () => {
    const fast = hubRun('on');
    const slow = hubRun('off');
    // Most DPD checks of a run with traffic take the shortcut (8 ends, every 15 s, for an hour).
    expect(fast.taken).toBeGreaterThan(1_000);
    expect(fast.result).toBe(slow.result);
  });

  it('change nothing in random lives of a tunnel (crashes, cuts, forged messages, rekey collisions)', () => {
    let taken = 0;
    fc.assert(
      fc.property(scenario, lags, (sc, lagsMs) => {
        const life = () => {
          const h = makeTunnel({ ...sc, trace: true, espAtDpd: { lagsMs } });
          for (const act of sc.actions) apply(h, act);
          // Then a stretch where both ends are up, so the tunnel (re)establishes and settles.
          h.tunnel.restorePath();
          h.tunnel.recover('a');
          h.tunnel.recover('b');
          h.tunnel.start('a');
          h.tunnel.start('b');
          h.sim.advance(20 * MINUTE);
          return JSON.stringify([h.sim.trace.all(), h.tunnel.records]);
        };
        const fast = withShortcut('on', life);
        taken += fast.taken;
        expect(fast.result).toBe(withShortcut('off', life).result);
      }),
      { numRuns: 60 },
    );
    expect(taken).toBeGreaterThan(100);
  });

  it('change nothing when deadlines of every kind fall on the same millisecond', () => {
    // Whole seconds everywhere and no randomness in rekey times: DPD checks, retransmissions,
    // rekeys and message arrivals keep landing on the same millisecond, in either order.
    const settings = fc.record({
      mode: fc.constantFrom<ConnectionMode>('Default', 'InitiatorOnly', 'ResponderOnly'),
      dpdDelayMs: fc.constantFrom(2_000, 5_000),
      dpdTimeoutMs: fc.constantFrom<number | null>(null, 9_000),
      retryDelayMs: fc.constantFrom(0, 5_000),
      reestablishDelayMs: fc.constantFrom(0, 2_000),
      childSaLifetimeMs: fc.constantFrom(30_000, 40_000),
      ikeSaLifetimeMs: fc.constantFrom(50_000, 60_000),
      rekeyMarginMs: fc.constant(10_000),
      rekeyFuzzPercent: fc.constant(0),
      rekeyRetryIntervalMs: fc.constant(2_000),
      rekeyRetryJitterMs: fc.constant(0),
      halfOpenTimeoutMs: fc.constant(4_000),
      retransmit: fc.constant({ timeoutMs: 1_000, base: 1, tries: 3 }),
    });
    const lockstep = fc.record({
      seed: fc.integer({ min: 1, max: 1_000_000 }),
      latencyMs: fc.constantFrom(0, 1_000),
      a: settings,
      b: settings,
      actions: fc.array(action, { maxLength: 30 }),
    });
    let taken = 0;
    fc.assert(
      fc.property(lockstep, lags, (sc, lagsMs) => {
        const life = () => {
          const h = makeTunnel({ ...sc, trace: true, espAtDpd: { lagsMs } });
          for (const act of sc.actions)
            apply(h, act.kind === 'advance' ? { ...act, ms: act.ms - (act.ms % 1000) } : act);
          h.tunnel.restorePath();
          h.tunnel.recover('a');
          h.tunnel.recover('b');
          h.tunnel.start('a');
          h.tunnel.start('b');
          h.sim.advance(10 * MINUTE);
          return JSON.stringify([h.sim.trace.all(), h.tunnel.records]);
        };
        const fast = withShortcut('on', life);
        taken += fast.taken;
        expect(fast.result).toBe(withShortcut('off', life).result);
      }),
      { numRuns: 100 },
    );
    expect(taken).toBeGreaterThan(1_000);
  });
});
