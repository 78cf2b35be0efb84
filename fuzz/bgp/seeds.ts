/**
 * The seed corpus: every published byte vector the codec tests use (dpkt, scapy,
 * yabgp, a packetlife capture), the OPENs of the fuzzed sessions' neighbours, a
 * few UPDATEs shaped like what a VPN device announces to Azure, and canonical
 * messages drawn from the fast-check arbitraries the property tests use.
 */
import fc from 'fast-check';
import { encodeMessage } from '../../src/protocols/bgp/codec.ts';
import { buildOpen } from '../../src/protocols/bgp/fsm.ts';
import type { BgpMessage } from '../../src/protocols/bgp/messages.ts';
import { messageInContext } from '../../test/bgp/arbitraries.ts';
import * as published from '../../test/bgp/vectors/published.ts';
import { fromHex } from '../bytes.ts';
import { CONTEXTS, WIRE_SETUPS } from './harness.ts';

export interface Seed {
  readonly name: string;
  readonly bytes: Uint8Array;
}

function publishedSeeds(): Seed[] {
  const seeds: Seed[] = [];
  for (const [name, value] of Object.entries(published)) {
    if (typeof value !== 'object' || value === null || !('hex' in value) || typeof value.hex !== 'string')
      continue;
    const bytes = fromHex(value.hex);
    if (bytes) seeds.push({ name: `published ${name}`, bytes });
  }
  return seeds;
}

/** What a branch device sends Azure over the session: its OPEN, routes with the usual attributes, withdrawals. */
function sessionSeeds(): Seed[] {
  const four = CONTEXTS['four-octet'];
  const two = CONTEXTS['two-octet'];
  const routes: BgpMessage = {
    type: 'update',
    withdrawn: [],
    attributes: {
      origin: 'igp',
      asPath: [{ type: 'sequence', asns: [65010, 65010] }],
      nextHop: '192.168.255.1',
      med: 10,
      communities: [0xfde80064],
    },
    nlri: ['192.168.10.0/24', '192.168.11.0/24', '10.20.0.0/16'],
  };
  const internal: BgpMessage = {
    type: 'update',
    withdrawn: ['172.16.0.0/12'],
    attributes: {
      origin: 'incomplete',
      asPath: [{ type: 'set', asns: [64512, 64513] }],
      nextHop: '10.0.0.13',
      localPref: 200,
      atomicAggregate: true,
      aggregator: { asn: 65515, address: '10.0.0.13' },
    },
    nlri: ['10.1.0.0/16'],
  };
  return [
    {
      name: 'neighbour OPEN (eBGP, 4-octet AS)',
      bytes: encodeMessage(buildOpen(WIRE_SETUPS['ebgp-4'].neighbour), four),
    },
    {
      name: 'neighbour OPEN (iBGP, 2-octet AS)',
      bytes: encodeMessage(buildOpen(WIRE_SETUPS['ibgp-2'].neighbour), two),
    },
    { name: 'branch routes (4-octet)', bytes: encodeMessage(routes, four) },
    { name: 'branch routes (2-octet)', bytes: encodeMessage(routes, two) },
    { name: 'internal route with LOCAL_PREF, AGGREGATOR', bytes: encodeMessage(internal, two) },
    {
      name: 'End-of-RIB',
      bytes: encodeMessage({ type: 'update', withdrawn: [], attributes: {}, nlri: [] }, four),
    },
    { name: 'KEEPALIVE', bytes: encodeMessage({ type: 'keepalive' }, four) },
    {
      name: 'ROUTE-REFRESH IPv4 unicast',
      bytes: encodeMessage({ type: 'routeRefresh', afi: 1, safi: 1 }, four),
    },
  ];
}

/** `count` canonical messages from the property tests' arbitraries, reproducible from `seed`. */
function arbitrarySeeds(count: number, seed: number): Seed[] {
  return fc.sample(messageInContext, { numRuns: count, seed }).map(({ ctx, message }, i) => ({
    name: `arbitrary ${i} (${message.type}, ${ctx.fourOctetAs ? '4' : '2'}-octet)`,
    bytes: encodeMessage(message, ctx),
  }));
}

export function seedCorpus(arbitraryCount = 300, seed = 4271): Seed[] {
  return [...publishedSeeds(), ...sessionSeeds(), ...arbitrarySeeds(arbitraryCount, seed)];
}
