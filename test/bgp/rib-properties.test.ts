import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BgpUpdate, Origin } from '../../src/protocols/bgp/messages.ts';
import type { RibPeer } from '../../src/protocols/bgp/rib.ts';
import { Rib } from '../../src/protocols/bgp/rib.ts';

const LOCAL_ASN = 65515;
const PREFIXES = ['10.1.0.0/16', '10.2.0.0/16', '192.168.1.0/24', '192.168.2.0/24'];
const PEERS: RibPeer[] = [
  { key: 'p1', address: '172.16.0.1', bgpId: '1.1.1.1', asn: 65010 },
  { key: 'p2', address: '172.16.0.2', bgpId: '1.1.1.1', asn: 65010 },
  { key: 'p3', address: '172.16.0.3', bgpId: '3.3.3.3', asn: 65020 },
  { key: 'p4', address: '172.16.0.4', bgpId: '4.4.4.4', asn: LOCAL_ASN },
];

const updateArb: fc.Arbitrary<BgpUpdate> = fc.record({
  type: fc.constant('update' as const),
  withdrawn: fc.subarray(PREFIXES),
  nlri: fc.subarray(PREFIXES),
  attributes: fc.record({
    origin: fc.constantFrom<Origin>('igp', 'egp', 'incomplete'),
    asPath: fc.array(
      fc.record({
        type: fc.constantFrom('sequence' as const, 'set' as const),
        asns: fc.array(fc.constantFrom(65010, 65020, 65030, LOCAL_ASN), { minLength: 1, maxLength: 3 }),
      }),
      { maxLength: 2 },
    ),
    nextHop: fc.constantFrom('172.16.0.1', '172.16.0.2', '172.16.0.3', '172.16.0.4'),
    med: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    localPref: fc.option(fc.constantFrom(50, 100, 200), { nil: undefined }),
  }),
});

/** For each peer, the UPDATEs it sends in order; plus a seed for interleaving the streams. */
const scenario = fc.record({
  streams: fc.tuple(...PEERS.map(() => fc.array(updateArb, { maxLength: 6 }))),
  maxPaths: fc.integer({ min: 1, max: 4 }),
  multipathRelax: fc.boolean(),
  interleaving: fc.array(fc.nat(), { maxLength: 40 }),
});

/** Interleaves per-peer streams, keeping each peer's own order (TCP delivers it in order). */
function interleave(
  streams: readonly (readonly BgpUpdate[])[],
  choices: readonly number[],
): [RibPeer, BgpUpdate][] {
  const cursors = streams.map(() => 0);
  const out: [RibPeer, BgpUpdate][] = [];
  let step = 0;
  for (;;) {
    const open = streams.flatMap((s, i) => ((cursors[i] ?? 0) < s.length ? [i] : []));
    if (open.length === 0) return out;
    const pick = open[(choices[step++ % Math.max(1, choices.length)] ?? 0) % open.length] as number;
    const cursor = cursors[pick] ?? 0;
    out.push([PEERS[pick] as RibPeer, (streams[pick] as BgpUpdate[])[cursor] as BgpUpdate]);
    cursors[pick] = cursor + 1;
  }
}

/** The Loc-RIB as plain data: prefix → best peer, installed peers, next hops. */
function snapshot(table: Rib): Record<string, string> {
  const view: Record<string, string> = {};
  for (const entry of table.entries()) {
    view[entry.prefix] =
      `${entry.best.peer.key} [${entry.paths.map((r) => r.peer.key).join(',')}] ${entry.nextHops.join(',')}`;
  }
  return view;
}

describe('RIB properties', () => {
  it('the Loc-RIB does not depend on how updates from different neighbours interleave', () => {
    fc.assert(
      fc.property(scenario, scenario, ({ streams, maxPaths, multipathRelax, interleaving }, other) => {
        const a = new Rib({ localAsn: LOCAL_ASN, maxPaths, multipathRelax });
        const b = new Rib({ localAsn: LOCAL_ASN, maxPaths, multipathRelax });
        for (const [p, u] of interleave(streams, interleaving)) a.applyUpdate(p, u);
        for (const [p, u] of interleave(streams, other.interleaving)) b.applyUpdate(p, u);
        expect(snapshot(a)).toEqual(snapshot(b));
      }),
      { numRuns: 300 },
    );
  });

  it('replaying the route changes rebuilds the forwarding table, and no looped route is ever installed', () => {
    fc.assert(
      fc.property(scenario, ({ streams, maxPaths, multipathRelax, interleaving }) => {
        const table = new Rib({ localAsn: LOCAL_ASN, maxPaths, multipathRelax });
        const forwarding = new Map<string, readonly string[]>();
        const apply = (changes: ReturnType<Rib['applyUpdate']>) => {
          for (const change of changes) {
            expect(change.oldNextHops).toEqual(forwarding.get(change.prefix) ?? []);
            if (change.newNextHops.length === 0) forwarding.delete(change.prefix);
            else forwarding.set(change.prefix, change.newNextHops);
          }
        };
        for (const [p, u] of interleave(streams, interleaving)) apply(table.applyUpdate(p, u));
        for (const entry of table.entries()) {
          expect(forwarding.get(entry.prefix)).toEqual(entry.nextHops);
          expect(entry.paths.length).toBeLessThanOrEqual(maxPaths);
          expect(entry.paths[0]).toBe(entry.best);
          for (const route of entry.paths) {
            expect(route.attributes.asPath?.some((s) => s.asns.includes(LOCAL_ASN)) ?? false).toBe(false);
          }
        }
        expect(forwarding.size).toBe(table.size);
        // Sessions going down one by one empties everything, and the changes say so.
        for (const p of PEERS) apply(table.withdrawPeer(p.key));
        expect(table.size).toBe(0);
        expect(forwarding.size).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('withdrawing a neighbour leaves exactly the table built without it', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 0, max: PEERS.length - 1 }), (s, gone) => {
        const options = { localAsn: LOCAL_ASN, maxPaths: s.maxPaths, multipathRelax: s.multipathRelax };
        const withIt = new Rib(options);
        const without = new Rib(options);
        for (const [p, u] of interleave(s.streams, s.interleaving)) {
          withIt.applyUpdate(p, u);
          if (p !== PEERS[gone]) without.applyUpdate(p, u);
        }
        withIt.withdrawPeer((PEERS[gone] as RibPeer).key);
        expect(snapshot(withIt)).toEqual(snapshot(without));
      }),
      { numRuns: 300 },
    );
  });
});
