import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FlowSpec, ResolvedPath } from '../../src/dataplane/flow.ts';
import { FlowMeter } from '../../src/dataplane/meter.ts';
import { packetsBetween } from '../../src/dataplane/packets.ts';

const flow = (id: number, ratePps = 10, phaseMs = 0): FlowSpec => ({
  id,
  direction: 'toSite',
  tuple: { srcIp: 1, dstIp: 2, protocol: 6, srcPort: 1000 + id, dstPort: 443 },
  hash: id,
  ratePps,
  phaseMs,
  vnet: 'spoke',
  site: 'branch',
});
const up = (signature: string, tunnel?: { id: string; generation: number }): ResolvedPath => ({
  viable: true,
  signature,
  elements: [],
  ...(tunnel ? { tunnel } : {}),
});
const down = (signature: string): ResolvedPath => ({ viable: false, signature, elements: [] });

describe('exact packet counting', () => {
  it('counts send times in [from, to)', () => {
    // 10 pps from phase 0: packets at 0, 100, 200, … ms.
    expect(packetsBetween(0, 1000, 0, 10)).toBe(10);
    expect(packetsBetween(0, 1001, 0, 10)).toBe(11);
    expect(packetsBetween(50, 150, 0, 10)).toBe(1);
    expect(packetsBetween(0, 1000, 30, 10)).toBe(10);
    expect(packetsBetween(0, 31, 30, 10)).toBe(1);
  });

  it('is additive over any split of an interval', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 0, max: 999 }),
        (cuts, rate, phase) => {
          const points = [0, ...cuts.sort((x, y) => x - y), 100_000];
          let sum = 0;
          for (let i = 1; i < points.length; i++)
            sum += packetsBetween(points[i - 1] as number, points[i] as number, phase, rate);
          expect(sum).toBe(packetsBetween(0, 100_000, phase, rate));
        },
      ),
    );
  });
});

describe('flow meter', () => {
  it('an outage loses exactly the packets sent during it, and sent = delivered + lost', () => {
    const meter = new FlowMeter([flow(0)]);
    meter.setPath(0, 0, up('IN_0', { id: 't0', generation: 1 }));
    meter.setPath(0, 30_000, down('IN_0'));
    meter.setPath(0, 75_000, up('IN_1', { id: 't1', generation: 1 }));
    meter.finish(600_000);
    const m = meter.metrics(0);
    expect(m.lost).toBe(450); // 45 s at 10 pps
    expect(m.sent).toBe(6000);
    expect(m.delivered).toBe(5550);
    expect(m.outages).toEqual([{ startMs: 30_000, endMs: 75_000 }]);
    expect(m.pathChanges).toBe(1);
    expect(m.sessionResets).toBe(0); // failed over to another established tunnel: sessions survive
  });

  it('a tunnel torn down and rebuilt under the flow resets its sessions', () => {
    const meter = new FlowMeter([flow(0)]);
    meter.setPath(0, 0, up('IN_0', { id: 't0', generation: 1 }));
    meter.setPath(0, 10_000, down('IN_0'));
    meter.setPath(0, 20_000, up('IN_1', { id: 't0', generation: 2 })); // public IP moved: same tunnel, new SA
    meter.setPath(0, 300_000, down('IN_1'));
    meter.setPath(0, 310_000, up('IN_0', { id: 't0', generation: 3 })); // and back
    meter.finish(600_000);
    expect(meter.metrics(0).sessionResets).toBe(2);
  });

  it('rekeying (same generation) and moving without an outage do not reset sessions', () => {
    const meter = new FlowMeter([flow(0)]);
    meter.setPath(0, 0, up('IN_1', { id: 't1', generation: 1 }));
    meter.setPath(0, 1000, up('IN_0', { id: 't0', generation: 4 }));
    meter.setPath(0, 2000, up('IN_0', { id: 't0', generation: 4 }));
    meter.finish(10_000);
    expect(meter.metrics(0)).toMatchObject({ sessionResets: 0, lost: 0, pathChanges: 1, outages: [] });
  });

  it('an outage still open at the end is closed at the end', () => {
    const meter = new FlowMeter([flow(0)]);
    meter.setPath(0, 0, down(''));
    meter.finish(1000);
    expect(meter.metrics(0)).toMatchObject({
      lost: 10,
      delivered: 0,
      outages: [{ startMs: 0, endMs: 1000 }],
    });
  });
});

describe('flow meter: flows that start late', () => {
  it('counts packets from the moment the flow is first placed, not from time 0', () => {
    const meter = new FlowMeter([flow(0)]);
    meter.setPath(0, 120_000, up('IN_0'));
    meter.finish(180_000);
    expect(meter.metrics(0)).toMatchObject({ sent: 600, delivered: 600, lost: 0 });
  });
});
