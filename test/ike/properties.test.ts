import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConnectionMode } from '../../src/protocols/ike/config.ts';
import type { TunnelSide } from '../../src/protocols/ike/sim-tunnel.ts';
import { type Harness, MINUTE, makeTunnel, outputs, SECOND, upSas } from './harness.ts';
import { apply, scenario } from './random-lives.ts';

/** What the data plane was told (childSa events) must be exactly what the core holds. */
function dataPlaneAgrees(h: Harness, s: TunnelSide): void {
  const installed = new Set<string>();
  for (const { output } of outputs(h, s, 'childSa')) {
    const key = `${output.childSa.inboundSpi}/${output.childSa.outboundSpi}`;
    if (output.up) {
      expect(installed.has(key), `${s}: CHILD SA ${key} installed twice`).toBe(false);
      installed.add(key);
    } else {
      expect(installed.has(key), `${s}: CHILD SA ${key} removed but never installed`).toBe(true);
      installed.delete(key);
    }
  }
  const held = h.tunnel.endpoints[s]
    .snapshot()
    .ikeSas.flatMap((sa) => sa.childSas.map((c) => `${c.inboundSpi}/${c.outboundSpi}`));
  expect(new Set(held)).toEqual(installed);
  const levels = outputs(h, s, 'tunnel').map((x) => x.output.up);
  levels.forEach((up, i) => {
    expect(up, `${s}: tunnel level did not alternate`).toBe(i % 2 === 0);
  });
  expect(h.tunnel.endpoints[s].snapshot().tunnelUp).toBe(installed.size > 0);
}

const canInitiate = (m: ConnectionMode) => m !== 'ResponderOnly';
const canRespond = (m: ConnectionMode) => m !== 'InitiatorOnly';

describe('IKE tunnel under random inputs, timers and path cuts (fast-check)', () => {
  it('the same scenario and seed give the same trace, byte for byte', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        const run = () => {
          const h = makeTunnel({ seed: sc.seed, latencyMs: sc.latencyMs, a: sc.a, b: sc.b, trace: true });
          for (const act of sc.actions) apply(h, act);
          h.sim.advance(10 * MINUTE);
          return JSON.stringify(h.sim.trace.all());
        };
        expect(run()).toBe(run());
      }),
      { numRuns: 30 },
    );
  });

  it('never throws, keeps the data plane view exact, and converges on exactly one shared IKE SA', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        const h = makeTunnel({ seed: sc.seed, latencyMs: sc.latencyMs, a: sc.a, b: sc.b });
        for (const act of sc.actions) apply(h, act);
        dataPlaneAgrees(h, 'a');
        dataPlaneAgrees(h, 'b');

        // Quiescence: path up, both hosts alive and started.
        h.tunnel.restorePath();
        h.tunnel.recover('a');
        h.tunnel.recover('b');
        h.tunnel.start('a');
        h.tunnel.start('b');
        h.sim.advance(45 * MINUTE);
        const comesUp =
          (canInitiate(sc.a.mode) && canRespond(sc.b.mode)) ||
          (canInitiate(sc.b.mode) && canRespond(sc.a.mode));
        if (!comesUp) {
          expect(upSas(h, 'a')).toEqual([]);
          expect(upSas(h, 'b')).toEqual([]);
          return;
        }
        // Observe at a moment when neither end has a request outstanding (between rekeys and probes).
        const idle = () =>
          (['a', 'b'] as const).every((s) =>
            h.tunnel.endpoints[s]
              .snapshot()
              .ikeSas.every((sa) => !sa.requestInFlight && sa.state !== 'halfOpen'),
          );
        for (let i = 0; i < 600 && !idle(); i++) h.sim.advance(500);
        expect(idle()).toBe(true);
        expect(upSas(h, 'a')).toHaveLength(1);
        expect(upSas(h, 'a')).toEqual(upSas(h, 'b'));
        expect(h.tunnel.endpoints.a.snapshot().tunnelUp).toBe(true);
        expect(h.tunnel.endpoints.b.snapshot().tunnelUp).toBe(true);

        // From here on, whenever both ends hold IKE SAs they hold at least one in common:
        // they never sit established on different IKE SAs.
        for (let i = 0; i < 20 * 60; i++) {
          h.sim.advance(SECOND);
          const a = upSas(h, 'a');
          const b = upSas(h, 'b');
          if (a.length > 0 && b.length > 0 && !a.some((k) => b.includes(k))) {
            throw new Error(`different IKE SAs at ${h.sim.nowMs} ms: ${a} vs ${b}`);
          }
        }
        dataPlaneAgrees(h, 'a');
        dataPlaneAgrees(h, 'b');
      }),
      {
        numRuns: Number(process.env.IKE_PROPERTY_RUNS ?? 150),
        seed: process.env.IKE_PROPERTY_SEED ? Number(process.env.IKE_PROPERTY_SEED) : undefined,
      },
    );
  }, 120_000);
});
