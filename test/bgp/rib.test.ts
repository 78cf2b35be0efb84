import { describe, expect, it } from 'vitest';
import type { AsPathSegment, BgpUpdate, PathAttributes } from '../../src/protocols/bgp/messages.ts';
import type { RibOptions, RibPeer } from '../../src/protocols/bgp/rib.ts';
import { Rib } from '../../src/protocols/bgp/rib.ts';

/** Seen from an Azure hub gateway (ASN 65515): on-premises devices and the other instance. */
const LOCAL_ASN = 65515;

function peer(key: string, asn: number, bgpId = key, address = key): RibPeer {
  return { key, address, bgpId, asn };
}

function announce(nlri: string[], attributes: PathAttributes): BgpUpdate {
  return { type: 'update', withdrawn: [], attributes, nlri };
}

function withdraw(prefixes: string[]): BgpUpdate {
  return { type: 'update', withdrawn: prefixes, attributes: {}, nlri: [] };
}

function path(...asns: number[]): AsPathSegment[] {
  return [{ type: 'sequence', asns }];
}

function attrs(
  nextHop: string,
  asPath: AsPathSegment[],
  extra: Partial<PathAttributes> = {},
): PathAttributes {
  return { origin: 'igp', asPath, nextHop, ...extra };
}

function rib(options: Partial<RibOptions> = {}): Rib {
  return new Rib({ localAsn: LOCAL_ASN, ...options });
}

const SITE = '192.168.1.0/24';
const deviceA = peer('192.168.1.1', 65010);
const deviceB = peer('192.168.1.2', 65020);
const deviceC = peer('192.168.1.3', 65030);

describe('Loc-RIB decision process (RFC 4271 §9.1.2.2)', () => {
  it('installs a single route and reports the next hop appearing', () => {
    const table = rib();
    const changes = table.applyUpdate(deviceA, announce([SITE], attrs('192.168.1.1', path(65010))));
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ prefix: SITE, oldNextHops: [], newNextHops: ['192.168.1.1'] });
    expect(table.get(SITE)?.best.peer.key).toBe('192.168.1.1');
  });

  it('highest LOCAL_PREF wins first, even over a shorter AS_PATH (iBGP routes carry it)', () => {
    const table = rib();
    const ibgpLow = peer('10.0.0.21', LOCAL_ASN);
    const ibgpHigh = peer('10.0.0.22', LOCAL_ASN);
    table.applyUpdate(ibgpLow, announce([SITE], attrs('10.0.0.21', path(65010), { localPref: 100 })));
    table.applyUpdate(ibgpHigh, announce([SITE], attrs('10.0.0.22', path(65020, 65010), { localPref: 200 })));
    expect(table.get(SITE)?.best.peer.key).toBe('10.0.0.22');
  });

  it('ignores LOCAL_PREF received from an eBGP neighbour (§5.1.5) and gives eBGP routes the default 100', () => {
    const table = rib();
    const ibgp = peer('10.0.0.21', LOCAL_ASN);
    table.applyUpdate(deviceA, announce([SITE], attrs('192.168.1.1', path(65010), { localPref: 500 })));
    table.applyUpdate(ibgp, announce([SITE], attrs('10.0.0.21', path(65010, 65010), { localPref: 150 })));
    expect(table.get(SITE)?.best.peer.key).toBe('10.0.0.21');
    expect(table.get(SITE)?.paths.map((r) => r.localPref)).toEqual([150]);
  });

  it('shortest AS_PATH wins; an AS_SET counts as one however many ASes it holds', () => {
    const table = rib();
    table.applyUpdate(deviceA, announce([SITE], attrs('192.168.1.1', path(65010, 65100, 65101))));
    table.applyUpdate(
      deviceB,
      announce(
        [SITE],
        attrs('192.168.1.2', [
          { type: 'sequence', asns: [65020] },
          { type: 'set', asns: [65100, 65101, 65102, 65103] },
        ]),
      ),
    );
    expect(table.get(SITE)?.best.asPathLength).toBe(2);
    expect(table.get(SITE)?.best.peer.key).toBe('192.168.1.2');
  });

  it('lowest ORIGIN wins: IGP over EGP over INCOMPLETE', () => {
    const table = rib();
    table.applyUpdate(deviceA, announce([SITE], attrs('192.168.1.1', path(65010), { origin: 'incomplete' })));
    table.applyUpdate(deviceB, announce([SITE], attrs('192.168.1.2', path(65020), { origin: 'egp' })));
    expect(table.get(SITE)?.best.peer.key).toBe('192.168.1.2');
    table.applyUpdate(deviceC, announce([SITE], attrs('192.168.1.3', path(65030), { origin: 'igp' })));
    expect(table.get(SITE)?.best.peer.key).toBe('192.168.1.3');
  });

  it('lowest MED wins among routes from the same neighbour AS; a missing MED counts as 0', () => {
    const table = rib();
    const a1 = peer('192.168.1.1', 65010);
    const a2 = peer('192.168.1.2', 65010);
    // a1 has the lower identifier, so only MED can make a2 win.
    table.applyUpdate(a1, announce([SITE], attrs('192.168.1.1', path(65010), { med: 20 })));
    table.applyUpdate(a2, announce([SITE], attrs('192.168.1.2', path(65010), { med: 10 })));
    expect(table.get(SITE)?.best.peer.key).toBe('192.168.1.2');
    table.applyUpdate(a1, announce([SITE], attrs('192.168.1.1', path(65010))));
    expect(table.get(SITE)?.best.peer.key).toBe('192.168.1.1');
    expect(table.get(SITE)?.best.med).toBe(0);
  });

  it('does not compare MED across neighbour ASes', () => {
    const table = rib();
    const lowId = peer('1.1.1.1', 65010);
    const lowMed = peer('2.2.2.2', 65020);
    table.applyUpdate(lowId, announce([SITE], attrs('1.1.1.1', path(65010), { med: 50 })));
    table.applyUpdate(lowMed, announce([SITE], attrs('2.2.2.2', path(65020), { med: 0 })));
    expect(table.get(SITE)?.best.peer.key).toBe('1.1.1.1');
  });

  it('eliminates by MED per neighbour AS as §9.1.2.2 (c) does, whatever the arrival order', () => {
    // Pairwise in arrival order "high" would win (low beats mid on identifier, high
    // beats low on MED); by elimination low goes (same AS as high, higher MED) and
    // mid beats high on identifier, MED not being comparable across ASes.
    const low = peer('1.1.1.1', 100);
    const mid = peer('2.2.2.2', 200);
    const high = peer('3.3.3.3', 100);
    const med = new Map([
      [low, 20],
      [mid, 30],
      [high, 10],
    ]);
    const orders = [
      [low, mid, high],
      [high, mid, low],
      [mid, low, high],
    ];
    for (const order of orders) {
      const table = rib();
      for (const p of order) {
        table.applyUpdate(p, announce([SITE], attrs(p.address, path(p.asn), { med: med.get(p) })));
      }
      expect(table.get(SITE)?.best.peer.key).toBe('2.2.2.2');
    }
  });

  it('prefers an eBGP-learned route over an iBGP-learned one', () => {
    const table = rib();
    const ibgp = peer('10.0.0.1', LOCAL_ASN);
    table.applyUpdate(ibgp, announce([SITE], attrs('10.0.0.1', path(65010), { localPref: 100 })));
    table.applyUpdate(deviceA, announce([SITE], attrs('192.168.1.1', path(65010))));
    expect(table.get(SITE)?.best.peer.key).toBe('192.168.1.1');
    expect(table.get(SITE)?.best.ebgp).toBe(true);
  });

  it('then the lowest BGP Identifier, compared as a number, then the lowest peer address', () => {
    const table = rib();
    const nine = peer('a', 65010, '10.0.0.9', '172.16.0.1');
    const ten = peer('b', 65020, '10.0.0.10', '172.16.0.2');
    table.applyUpdate(ten, announce([SITE], attrs('172.16.0.2', path(65020))));
    table.applyUpdate(nine, announce([SITE], attrs('172.16.0.1', path(65010))));
    expect(table.get(SITE)?.best.peer.key).toBe('a');
    const sameId1 = peer('c', 65010, '10.9.9.9', '172.16.0.20');
    const sameId2 = peer('d', 65010, '10.9.9.9', '172.16.0.3');
    const other = rib();
    other.applyUpdate(sameId1, announce([SITE], attrs('172.16.0.20', path(65010))));
    other.applyUpdate(sameId2, announce([SITE], attrs('172.16.0.3', path(65010))));
    expect(other.get(SITE)?.best.peer.key).toBe('d');
  });
});

describe('AS_PATH loop rejection (RFC 4271 §9.1.2)', () => {
  it('ignores a route whose AS_PATH contains our own ASN, even inside an AS_SET', () => {
    const table = rib();
    expect(
      table.applyUpdate(deviceA, announce([SITE], attrs('192.168.1.1', path(65010, LOCAL_ASN)))),
    ).toEqual([]);
    expect(table.get(SITE)).toBeUndefined();
    const set: AsPathSegment[] = [
      { type: 'sequence', asns: [65020] },
      { type: 'set', asns: [64512, LOCAL_ASN] },
    ];
    expect(table.applyUpdate(deviceB, announce([SITE], attrs('192.168.1.2', set)))).toEqual([]);
    // Kept in the Adj-RIB-In, as received.
    expect(table.adjRibInOf(deviceA.key).has(SITE)).toBe(true);
  });

  it('a looped re-announcement replaces, and so withdraws, the neighbour’s earlier good route', () => {
    const table = rib();
    table.applyUpdate(deviceA, announce([SITE], attrs('192.168.1.1', path(65010))));
    const changes = table.applyUpdate(
      deviceA,
      announce([SITE], attrs('192.168.1.1', path(65010, LOCAL_ASN))),
    );
    expect(changes).toEqual([
      { prefix: SITE, oldNextHops: ['192.168.1.1'], newNextHops: [], entry: undefined },
    ]);
  });
});

describe('ECMP multipath', () => {
  // The device's view of Azure's two instances: same AS, same path, two tunnels.
  const in0 = peer('10.0.0.12', LOCAL_ASN + 1);
  const in1 = peer('10.0.0.13', LOCAL_ASN + 1);
  const hub = '10.0.0.0/16';

  it('routes equal through LOCAL_PREF, AS_PATH, ORIGIN, MED and eBGP/iBGP become one entry with several next hops', () => {
    const table = rib({ maxPaths: 4 });
    table.applyUpdate(in0, announce([hub], attrs('10.0.0.12', path(65516))));
    const changes = table.applyUpdate(in1, announce([hub], attrs('10.0.0.13', path(65516))));
    expect(changes).toMatchObject([
      { prefix: hub, oldNextHops: ['10.0.0.12'], newNextHops: ['10.0.0.12', '10.0.0.13'] },
    ]);
    expect(table.get(hub)?.best.peer.key).toBe('10.0.0.12');
  });

  it('maxPaths 1 (the default) installs the best path only; maxPaths cuts by the tie-break order', () => {
    const single = rib();
    single.applyUpdate(in1, announce([hub], attrs('10.0.0.13', path(65516))));
    single.applyUpdate(in0, announce([hub], attrs('10.0.0.12', path(65516))));
    expect(single.get(hub)?.nextHops).toEqual(['10.0.0.12']);
    const two = rib({ maxPaths: 2 });
    for (const p of [peer('10.0.0.14', 65516), in1, in0]) {
      two.applyUpdate(p, announce([hub], attrs(p.address, path(65516))));
    }
    expect(two.get(hub)?.nextHops).toEqual(['10.0.0.12', '10.0.0.13']);
  });

  it('a difference in MED within the same neighbour AS, in ORIGIN, or eBGP vs iBGP breaks the tie', () => {
    const med = rib({ maxPaths: 4 });
    med.applyUpdate(in0, announce([hub], attrs('10.0.0.12', path(65516), { med: 0 })));
    med.applyUpdate(in1, announce([hub], attrs('10.0.0.13', path(65516), { med: 5 })));
    expect(med.get(hub)?.nextHops).toEqual(['10.0.0.12']);
    const origin = rib({ maxPaths: 4 });
    origin.applyUpdate(in0, announce([hub], attrs('10.0.0.12', path(65516), { origin: 'egp' })));
    origin.applyUpdate(in1, announce([hub], attrs('10.0.0.13', path(65516))));
    expect(origin.get(hub)?.nextHops).toEqual(['10.0.0.13']);
    const mixed = rib({ maxPaths: 4 });
    mixed.applyUpdate(peer('10.0.0.1', LOCAL_ASN), announce([hub], attrs('10.0.0.1', path(65516))));
    mixed.applyUpdate(in1, announce([hub], attrs('10.0.0.13', path(65516))));
    expect(mixed.get(hub)?.nextHops).toEqual(['10.0.0.13']);
  });

  it('equally long but different AS_PATHs share only with multipathRelax (FRR as-path multipath-relax)', () => {
    for (const [relax, expected] of [
      [false, ['192.168.1.1']],
      [true, ['192.168.1.1', '192.168.1.2']],
    ] as const) {
      const table = rib({ maxPaths: 4, multipathRelax: relax });
      table.applyUpdate(deviceA, announce([SITE], attrs('192.168.1.1', path(65010))));
      table.applyUpdate(deviceB, announce([SITE], attrs('192.168.1.2', path(65020))));
      expect(table.get(SITE)?.nextHops).toEqual(expected);
    }
  });

  it('withdrawing one path shrinks the next-hop set; withdrawing the last removes the prefix', () => {
    const table = rib({ maxPaths: 2 });
    table.applyUpdate(in0, announce([hub], attrs('10.0.0.12', path(65516))));
    table.applyUpdate(in1, announce([hub], attrs('10.0.0.13', path(65516))));
    expect(table.applyUpdate(in0, withdraw([hub]))).toMatchObject([
      { prefix: hub, oldNextHops: ['10.0.0.12', '10.0.0.13'], newNextHops: ['10.0.0.13'] },
    ]);
    expect(table.applyUpdate(in1, withdraw([hub]))).toMatchObject([
      { prefix: hub, oldNextHops: ['10.0.0.13'], newNextHops: [], entry: undefined },
    ]);
    expect(table.size).toBe(0);
  });
});

describe('route changes', () => {
  it('a repeated announcement with the same attributes is not a change; a new AS_PATH is, with equal next hops', () => {
    const table = rib();
    table.applyUpdate(deviceA, announce([SITE], attrs('192.168.1.1', path(65010))));
    expect(table.applyUpdate(deviceA, announce([SITE], attrs('192.168.1.1', path(65010))))).toEqual([]);
    const changes = table.applyUpdate(deviceA, announce([SITE], attrs('192.168.1.1', path(65010, 65010))));
    expect(changes).toMatchObject([{ oldNextHops: ['192.168.1.1'], newNextHops: ['192.168.1.1'] }]);
  });

  it('a prefix both withdrawn and announced in one UPDATE ends announced', () => {
    const table = rib();
    table.applyUpdate(deviceA, announce([SITE], attrs('192.168.1.1', path(65010))));
    const both: BgpUpdate = {
      ...announce([SITE], attrs('192.168.1.1', path(65010, 65010))),
      withdrawn: [SITE],
    };
    table.applyUpdate(deviceA, both);
    expect(table.get(SITE)?.best.asPathLength).toBe(2);
  });

  it('withdrawing something never announced changes nothing', () => {
    const table = rib();
    expect(table.applyUpdate(deviceA, withdraw([SITE]))).toEqual([]);
  });
});

describe('session down: withdraw everything from one neighbour', () => {
  it('removes exactly that neighbour’s routes, falling back to the others', () => {
    const table = rib({ maxPaths: 2 });
    table.applyUpdate(deviceA, announce([SITE, '192.168.2.0/24'], attrs('192.168.1.1', path(65010))));
    table.applyUpdate(deviceB, announce([SITE], attrs('192.168.1.2', path(65020, 65020))));
    const changes = table.withdrawPeer(deviceA.key);
    expect(changes).toEqual([
      {
        prefix: SITE,
        oldNextHops: ['192.168.1.1'],
        newNextHops: ['192.168.1.2'],
        entry: table.get(SITE),
      },
      { prefix: '192.168.2.0/24', oldNextHops: ['192.168.1.1'], newNextHops: [], entry: undefined },
    ]);
    expect(table.adjRibInOf(deviceA.key).size).toBe(0);
    expect(table.withdrawPeer(deviceA.key)).toEqual([]);
  });

  it('costs one decision per route of that neighbour, however big the rest of the table', () => {
    const table = rib();
    const big: string[] = [];
    for (let i = 0; i < 10_000; i++) big.push(`10.${(i >> 8) & 255}.${i & 255}.0/24`);
    table.applyUpdate(deviceA, announce(big, attrs('192.168.1.1', path(65010))));
    table.applyUpdate(
      deviceB,
      announce(['172.16.1.0/24', '172.16.2.0/24', '172.16.3.0/24'], attrs('192.168.1.2', path(65020))),
    );
    const before = table.decisionsRun;
    expect(table.withdrawPeer(deviceB.key)).toHaveLength(3);
    expect(table.decisionsRun - before).toBe(3);
    expect(table.size).toBe(10_000);
  });
});
