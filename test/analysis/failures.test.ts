import { describe, expect, it } from 'vitest';
import {
  canHappenTogether,
  enumerateFailures,
  type FailureElement,
  singleElements,
} from '../../src/analysis/failures.ts';
import { example } from '../acceptance/helpers.ts';

/**
 * Expected counts, and why. Single failures: 4 instance failures (IN_0 and IN_1,
 * each planned and unplanned) + D devices + P internet paths (a device's public
 * IP; links sharing one fail together) + T tunnels (one per link connection and
 * instance). Pairs: 3 instance pairs (IN_0 × IN_1 in all mode combinations but
 * planned + planned: Azure maintains one instance at a time) + 4D + 4P + 2T
 * (an instance failure never pairs with a tunnel of that same instance) +
 * C(D+P+T, 2) minus the pairs of an element with a part of itself (a device with
 * its own path and tunnels, a path with its own tunnels).
 */
const EXPECTED: Record<
  string,
  { d: number; p: number; t: number; nested: number; depth1: number; depth2: number }
> = {
  // 1 device, 1 path, 2 tunnels: nested = device⊃path, device⊃2 tunnels, path⊃2 tunnels = 5.
  'bgp-active-active': { d: 1, p: 1, t: 2, nested: 5, depth1: 8, depth2: 24 },
  'static-dual-tunnel': { d: 1, p: 1, t: 2, nested: 5, depth1: 8, depth2: 24 },
  // Two such devices: nested 2 × 5.
  'bgp-two-devices': { d: 2, p: 2, t: 4, nested: 10, depth1: 12, depth2: 57 },
  'static-dual-two-devices': { d: 2, p: 2, t: 4, nested: 10, depth1: 12, depth2: 57 },
  // One tunnel to IN_0 only: nested = device⊃path, device⊃tunnel, path⊃tunnel = 3.
  'static-single-tunnel': { d: 1, p: 1, t: 1, nested: 3, depth1: 7, depth2: 20 },
  'static-single-two-devices': { d: 2, p: 2, t: 2, nested: 6, depth1: 10, depth2: 42 },
  // Two links on one public IP are one internet path: 1 device, 1 path, 2 tunnels.
  'static-single-two-tunnels': { d: 1, p: 1, t: 2, nested: 5, depth1: 8, depth2: 24 },
};

const choose2 = (n: number) => (n * (n - 1)) / 2;

describe('failure enumeration', () => {
  for (const [name, e] of Object.entries(EXPECTED)) {
    it(`${name}: ${e.depth1} single failures, ${e.depth2} with the pairs`, () => {
      const topology = example(name);
      // The formula above, so the hard numbers carry their reason.
      expect(4 + e.d + e.p + e.t).toBe(e.depth1);
      expect(e.depth1 + 3 + 4 * e.d + 4 * e.p + 2 * e.t + choose2(e.d + e.p + e.t) - e.nested).toBe(e.depth2);
      expect(enumerateFailures(topology, { depth: 1 })).toHaveLength(e.depth1);
      expect(enumerateFailures(topology, { depth: 2 })).toHaveLength(e.depth2);
      const kinds = singleElements(topology).map((el) => el.kind);
      expect(kinds.filter((k) => k === 'device')).toHaveLength(e.d);
      expect(kinds.filter((k) => k === 'internetPath')).toHaveLength(e.p);
      expect(kinds.filter((k) => k === 'tunnel')).toHaveLength(e.t);
    });
  }

  it('pairs: never both instances in planned maintenance, never a symmetric duplicate, never an element with a part of itself', () => {
    const failures = enumerateFailures(example('bgp-two-devices'), { depth: 2 });
    const ids = failures.map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    const unordered = failures.map((f) =>
      f.elements
        .map((el) => JSON.stringify(el))
        .sort()
        .join('|'),
    );
    expect(new Set(unordered).size).toBe(unordered.length);
    expect(ids).not.toContain('IN_0 planned + IN_1 planned');
    expect(ids).toContain('IN_0 planned + IN_1 unplanned');
    expect(ids).toContain('IN_0 unplanned + IN_1 unplanned');
    expect(ids).toContain('device branch1-fw1 + device branch1-fw2');
    expect(ids).not.toContain('device branch1-fw1 + internet path branch1-a-isp1');
    expect(ids).not.toContain('IN_0 planned + tunnel branch1-a-isp1-conn@IN_0');
    expect(ids).toContain('IN_0 planned + tunnel branch1-a-isp1-conn@IN_1');
  });

  it('an element never pairs with itself or its parts, in either order', () => {
    const elements = singleElements(example('static-single-two-tunnels'));
    const path = elements.find((e) => e.kind === 'internetPath') as FailureElement;
    const tunnel = elements.find((e) => e.kind === 'tunnel') as FailureElement;
    expect(path).toMatchObject({ links: ['branch1-isp1-tun1', 'branch1-isp1-tun2'] });
    expect(canHappenTogether(path, tunnel)).toBe(false);
    expect(canHappenTogether(tunnel, path)).toBe(false);
    const in0 = elements[0] as FailureElement;
    expect(canHappenTogether(in0, in0)).toBe(false);
  });

  it('each failure is a scenario: fails at 1:00, comes back at 5:00, 10 min of traffic, its own seed', () => {
    const failures = enumerateFailures(example('static-single-tunnel'), { depth: 2 });
    const device = failures.find((f) => f.id === 'device branch1-fw1');
    expect(device?.scenario).toMatchObject({ duration: 600_000, warmup: 120_000 });
    expect(device?.scenario.events).toEqual([
      { at: 60_000, device: 'branch1-fw1', action: 'fail' },
      { at: 300_000, device: 'branch1-fw1', action: 'recover' },
    ]);
    const reset = failures.find((f) => f.id === 'tunnel branch1-isp1-conn@IN_0');
    expect(reset?.recovers).toBe(false);
    expect(reset?.scenario.events).toHaveLength(1);
    const seeds = failures.map((f) => f.scenario.seed);
    expect(new Set(seeds).size).toBe(seeds.length);
    const pair = failures.find((f) => f.id === 'IN_0 planned + device branch1-fw1');
    expect(pair?.kind).toBe('instance-planned + device');
    expect(pair?.scenario.events.map((e) => e.at)).toEqual([60_000, 60_000, 300_000, 300_000]);
  });

  it('the timeline is a parameter', () => {
    const [first] = enumerateFailures(example('bgp-active-active'), {
      timing: {
        warmupMs: 60_000,
        failAtMs: 30_000,
        recoverAtMs: 200_000,
        durationMs: 300_000,
        settleWindowMs: 30_000,
      },
    });
    expect(first?.scenario).toMatchObject({ duration: 300_000, warmup: 60_000 });
    expect(first?.scenario.events.map((e) => e.at)).toEqual([30_000, 200_000]);
    expect(() =>
      enumerateFailures(example('bgp-active-active'), {
        timing: {
          warmupMs: 0,
          failAtMs: 250_000,
          recoverAtMs: 200_000,
          durationMs: 300_000,
          settleWindowMs: 30_000,
        },
      }),
    ).toThrow(/out of order/);
  });
});
