import { describe, expect, it } from 'vitest';
import { ikeEndpointConfig, rekeyWindowMs } from '../../src/protocols/ike/config.ts';
import type { TunnelSide } from '../../src/protocols/ike/sim-tunnel.ts';
import { Rng } from '../../src/sim/rng.ts';
import { type Harness, HOUR, makeTunnel, matchingChildPairs, outputs, SECOND, upSas } from './harness.ts';

/** Replays a side's childSa events and checks the installed set is never empty once up. */
function installedNeverEmpties(h: Harness, side: TunnelSide, fromMs: number): void {
  const installed = new Set<number>();
  for (const { atMs, output } of outputs(h, side, 'childSa')) {
    if (output.up) installed.add(output.childSa.inboundSpi);
    else installed.delete(output.childSa.inboundSpi);
    if (atMs >= fromMs && installed.size === 0) {
      throw new Error(`${side}: no CHILD SA installed at ${atMs} ms (${output.reason})`);
    }
  }
}

describe('rekeying without loss (RFC 7296 §2.8, make-before-break)', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: over 10 hours the tunnel never drops; CHILD SA rekeyed every 2,520–3,060 s, IKE SA once at 27,720–28,260 s`, () => {
      const h = makeTunnel({ seed });
      const L = h.latencyMs;
      h.tunnel.start('a');
      h.tunnel.start('b');
      // The data plane's view, sampled every second: at least one CHILD SA pair installed at both ends.
      for (let t = SECOND; t <= 10 * HOUR; t += SECOND) {
        h.sim.run(t);
        if (matchingChildPairs(h) < 1) throw new Error(`no matching CHILD SA pair at ${t} ms`);
      }
      for (const side of ['a', 'b'] as const) {
        expect(outputs(h, side, 'tunnel').map((x) => [x.atMs <= 4 * L, x.output.up])).toEqual([[true, true]]);
        installedNeverEmpties(h, side, 4 * L);
        expect(outputs(h, side, 'down')).toEqual([]);
      }
      const config = h.tunnel.endpoints.a.config;
      const child = rekeyWindowMs(config.childSaLifetimeMs, config);
      expect(child).toEqual({ earliestMs: 2_520_000, latestMs: 3_060_000 });
      // Every new CHILD SA at Azure (after the initial one) replaces the previous one within the window;
      // the two ends installed each SA up to two one-way trips apart, and either end may start the rekey.
      const installs = outputs(h, 'a', 'childSa')
        .filter((c) => c.output.up && c.output.reason !== 'established')
        .map((c) => c.atMs);
      const first = outputs(h, 'a', 'established').map((e) => e.atMs);
      const series = [Math.max(...first), ...installs];
      expect(installs.length).toBeGreaterThanOrEqual(11);
      for (let i = 1; i < series.length; i++) {
        const gap = (series[i] as number) - (series[i - 1] as number);
        expect(gap).toBeGreaterThanOrEqual(child.earliestMs - 2 * L);
        expect(gap).toBeLessThanOrEqual(child.latestMs + 2 * L);
      }
      // Old CHILD SAs are deleted after their replacement is installed, never for another reason.
      const removals = outputs(h, 'a', 'childSa', SECOND).filter((c) => !c.output.up);
      expect(new Set(removals.map((c) => c.output.reason))).toEqual(new Set(['rekeyed']));
      expect(removals.length).toBe(installs.length);
      // The IKE SA: rekeyed once in 10 hours, inside its window; the old one deleted right after.
      const ike = rekeyWindowMs(config.ikeSaLifetimeMs, config);
      const rekeyed = outputs(h, 'a', 'ikeSaRekeyed');
      expect(rekeyed).toHaveLength(1);
      const at = rekeyed[0]?.atMs ?? Number.NaN;
      expect(at).toBeGreaterThanOrEqual(ike.earliestMs);
      expect(at).toBeLessThanOrEqual(ike.latestMs + 4 * L);
      const closed = outputs(h, 'a', 'ikeSaClosed', SECOND);
      expect(closed.map((c) => c.output.reason)).toEqual(['rekeyed']);
      expect(closed[0]?.atMs).toBeGreaterThan(at);
      expect(closed[0]?.atMs).toBeLessThanOrEqual(at + 4 * L);
      // CHILD SAs moved to the new IKE SA: still exactly one pair, one IKE SA, the same at both ends.
      expect(upSas(h, 'a')).toEqual(upSas(h, 'b'));
      expect(upSas(h, 'a')).toHaveLength(1);
    });
  }

  it('simultaneous rekeys of the same SAs (no jitter): §2.8.1/§2.8.2 keep one SA of each, the tunnel never drops', () => {
    // With rekeyfuzz 0 both ends rekey exactly one one-way trip apart, so every request crosses the
    // other's: each collision completes both exchanges and the lowest nonce's SA is deleted by its creator.
    const tight = {
      childSaLifetimeMs: 60 * SECOND,
      ikeSaLifetimeMs: 200 * SECOND,
      rekeyMarginMs: 10 * SECOND,
      rekeyFuzzPercent: 0,
    };
    const h = makeTunnel({ seed: 11, a: tight, b: tight });
    h.tunnel.start('a');
    h.tunnel.start('b');
    for (let t = 100; t <= HOUR; t += 100) {
      h.sim.run(t);
      if (matchingChildPairs(h) < 1) throw new Error(`no matching CHILD SA pair at ${t} ms`);
    }
    for (const side of ['a', 'b'] as const) {
      expect(outputs(h, side, 'tunnel').map((x) => x.output.up)).toEqual([true]);
      expect(outputs(h, side, 'down')).toEqual([]);
    }
    const duplicateChildren = [...outputs(h, 'a', 'childSa'), ...outputs(h, 'b', 'childSa')].filter(
      (c) => !c.output.up && c.output.reason === 'duplicate',
    );
    expect(duplicateChildren.length).toBeGreaterThan(10);
    const rekeys = outputs(h, 'a', 'ikeSaRekeyed');
    expect(rekeys.length).toBeGreaterThan(10);
    // Between rekeys: one IKE SA, one CHILD SA pair, both ends agreeing.
    h.sim.run(HOUR + 25 * SECOND);
    expect(upSas(h, 'a')).toHaveLength(1);
    expect(upSas(h, 'a')).toEqual(upSas(h, 'b'));
    expect(matchingChildPairs(h)).toBe(1);
    for (const side of ['a', 'b'] as const) {
      expect(h.tunnel.endpoints[side].snapshot().ikeSas.flatMap((s) => s.childSas)).toHaveLength(1);
    }
  });

  it('rekey jitter comes from the seeded RNG: the same seed gives the same rekey times, another seed others', () => {
    const times = (seed: number) => {
      const h = makeTunnel({ seed });
      h.tunnel.start('a');
      h.tunnel.start('b');
      h.sim.run(4 * HOUR);
      return outputs(h, 'a', 'childSa').map((c) => c.atMs);
    };
    expect(times(5)).toEqual(times(5));
    expect(times(5)).not.toEqual(times(6));
  });

  it('the rekey margin with fuzz must stay below the lifetime (ipsec.conf rule)', () => {
    expect(() =>
      ikeEndpointConfig({
        name: 'x',
        mode: 'Default',
        rng: new Rng(1),
        childSaLifetimeMs: 600_000,
        rekeyMarginMs: 300_000,
      }),
    ).toThrow(/rekey margin/);
  });
});
