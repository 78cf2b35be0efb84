import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, MessageFramer } from '../../src/protocols/bgp/codec.ts';
import type { BgpMessage, CodecContext, DecodeOutcome } from '../../src/protocols/bgp/messages.ts';
import {
  bytesHex,
  DPKT_KEEPALIVE,
  DPKT_OPEN,
  DPKT_UPDATE,
  DPKT_UPDATE_OUT_OF_ORDER,
  hexBytes,
  PACKETLIFE_MP_NLRI,
  type PublishedVector,
  SCAPY_NOTIFICATION_ADMIN_RESET,
  SCAPY_NOTIFICATION_BAD_PEER_AS,
  SCAPY_NOTIFICATION_FLAGS_ERROR,
  SCAPY_OPEN_MANY_FAMILIES,
  SCAPY_OPEN_THEN_KEEPALIVE,
  SCAPY_ROUTE_REFRESH,
  SCAPY_UPDATE_FOUR_OCTET,
  SCAPY_UPDATE_WITHDRAWALS,
  YABGP_OPEN_AS_TRANS,
} from './vectors/published.ts';

const TWO_OCTET: CodecContext = { fourOctetAs: false };
const FOUR_OCTET: CodecContext = { fourOctetAs: true };

function decodeOk(bytes: Uint8Array, ctx: CodecContext): BgpMessage {
  const outcome: DecodeOutcome = decodeMessage(bytes, ctx);
  if (!outcome.ok) throw new Error(`expected a clean decode, got ${outcome.reason}`);
  expect(outcome.warnings).toEqual([]);
  return outcome.message;
}

/** Decodes a published vector, checks it re-encodes to the very same bytes, returns the message. */
function roundTrip(vector: PublishedVector, ctx: CodecContext): BgpMessage {
  const bytes = hexBytes(vector.hex);
  const message = decodeOk(bytes, ctx);
  expect(bytesHex(encodeMessage(message, ctx)), vector.source).toBe(bytesHex(bytes));
  return message;
}

describe('published BGP messages decode to what their sources say and re-encode byte for byte', () => {
  it('KEEPALIVE (dpkt)', () => {
    expect(roundTrip(DPKT_KEEPALIVE, TWO_OCTET)).toEqual({ type: 'keepalive' });
  });

  it('OPEN from AS 237 with one capability per parameter (dpkt)', () => {
    expect(roundTrip(DPKT_OPEN, TWO_OCTET)).toEqual({
      type: 'open',
      version: 4,
      myAsn: 237,
      holdTimeSec: 90,
      bgpIdentifier: '198.110.131.125',
      capabilities: [
        { code: 'multiprotocol', afi: 1, safi: 1 },
        { code: 'unknown', type: 128, value: new Uint8Array(0) },
        { code: 'routeRefresh' },
      ],
    });
  });

  it('Cisco OPEN with IPv4+IPv6 unicast and 4-octet AS capability (scapy)', () => {
    const stream = hexBytes(SCAPY_OPEN_THEN_KEEPALIVE.hex);
    const { messages, error } = new MessageFramer().push(stream);
    expect(error).toBeUndefined();
    expect(messages.map((m) => m.length)).toEqual([61, 19]);
    const [open, keepalive] = messages.map((m) => decodeOk(m, TWO_OCTET));
    expect(open).toEqual({
      type: 'open',
      version: 4,
      myAsn: 64502,
      holdTimeSec: 180,
      bgpIdentifier: '192.168.122.101',
      capabilities: [
        { code: 'multiprotocol', afi: 1, safi: 1 },
        { code: 'multiprotocol', afi: 2, safi: 1 },
        { code: 'unknown', type: 128, value: new Uint8Array(0) },
        { code: 'routeRefresh' },
        { code: 'fourOctetAs', asn: 64502 },
      ],
    });
    expect(keepalive).toEqual({ type: 'keepalive' });
    const reencoded = [open, keepalive]
      .map((m) => bytesHex(encodeMessage(m as BgpMessage, TWO_OCTET)))
      .join('');
    expect(reencoded).toBe(bytesHex(stream));
  });

  it('OPEN with sixteen capabilities, graceful restart kept verbatim (scapy)', () => {
    const open = roundTrip(SCAPY_OPEN_MANY_FAMILIES, TWO_OCTET);
    if (open.type !== 'open') throw new Error('not an OPEN');
    expect(open.myAsn).toBe(65000);
    expect(open.bgpIdentifier).toBe('10.255.255.1');
    expect(open.capabilities).toHaveLength(16);
    expect(open.capabilities).toContainEqual({ code: 'unknown', type: 64, value: Uint8Array.of(0x80, 0x78) });
    expect(open.capabilities.at(-1)).toEqual({ code: 'fourOctetAs', asn: 65000 });
  });

  it('OPEN from 4-octet AS 66666 sends AS_TRANS in My AS (yabgp)', () => {
    const open = roundTrip(YABGP_OPEN_AS_TRANS, TWO_OCTET);
    if (open.type !== 'open') throw new Error('not an OPEN');
    expect(open.myAsn).toBe(23456);
    expect(open.capabilities).toContainEqual({ code: 'fourOctetAs', asn: 66666 });
    expect(open.capabilities).toContainEqual({ code: 'unknown', type: 131, value: Uint8Array.of(0) });
  });

  it('route-reflected UPDATE with AS_SET, AS_SEQUENCE, NEXT_HOP, communities and NLRI (dpkt)', () => {
    expect(roundTrip(DPKT_UPDATE, TWO_OCTET)).toEqual({
      type: 'update',
      withdrawn: [],
      attributes: {
        origin: 'igp',
        asPath: [
          { type: 'set', asns: [500, 500] },
          { type: 'sequence', asns: [65211] },
        ],
        nextHop: '192.168.0.15',
        localPref: 100,
        atomicAggregate: true,
        aggregator: { asn: 65210, address: '192.168.0.10' },
        communities: [0xfebf0001, 0x03160004, 0x015400fa],
        unknown: [
          { flags: 0x80, typeCode: 9, value: hexBytes('c0a8000f') },
          { flags: 0x80, typeCode: 10, value: hexBytes('c0a800fa') },
        ],
      },
      nlri: ['192.168.4.0/22'],
    });
  });

  it('UPDATE with out-of-order attributes and an Extended Length MP_REACH_NLRI keeps its layout (dpkt)', () => {
    const update = roundTrip(DPKT_UPDATE_OUT_OF_ORDER, FOUR_OCTET);
    if (update.type !== 'update') throw new Error('not an UPDATE');
    expect(update.attributes.asPath).toEqual([]);
    expect(update.attributes.unknown?.map((a) => [a.typeCode, a.flags])).toEqual([
      [16, 0xc0],
      [128, 0xc0],
      [14, 0x90],
    ]);
    expect(update.attributeLayout?.map((entry) => entry.typeCode)).toEqual([1, 2, 5, 16, 128, 14]);
  });

  it('IPv6 UPDATE captured on the wire passes MP_REACH_NLRI through (packetlife.net)', () => {
    const update = roundTrip(PACKETLIFE_MP_NLRI, TWO_OCTET);
    if (update.type !== 'update') throw new Error('not an UPDATE');
    expect(update.attributes).toMatchObject({
      origin: 'igp',
      asPath: [{ type: 'sequence', asns: [65001] }],
      med: 0,
    });
    expect(update.attributes.unknown?.[0]?.typeCode).toBe(14);
    expect(update.nlri).toEqual([]);
  });

  it('withdrawal-only UPDATE, including a /25 (scapy)', () => {
    expect(roundTrip(SCAPY_UPDATE_WITHDRAWALS, TWO_OCTET)).toEqual({
      type: 'update',
      withdrawn: [
        '192.168.150.0/24',
        '7.7.7.0/24',
        '198.51.100.0/24',
        '192.168.1.0/24',
        '6.6.6.0/25',
        '192.168.26.0/24',
      ],
      attributes: {},
      nlri: [],
    });
  });

  it('UPDATE between 4-octet AS speakers with NO_EXPORT (scapy)', () => {
    expect(roundTrip(SCAPY_UPDATE_FOUR_OCTET, FOUR_OCTET)).toEqual({
      type: 'update',
      withdrawn: [],
      attributes: {
        origin: 'igp',
        asPath: [{ type: 'sequence', asns: [64506] }],
        nextHop: '192.168.16.6',
        med: 0,
        communities: [0xffffff01],
      },
      nlri: ['192.168.1.0/24'],
    });
  });

  it('NOTIFICATIONs: Cease/Administrative Reset, Bad Peer AS, Attribute Flags Error (scapy)', () => {
    expect(roundTrip(SCAPY_NOTIFICATION_ADMIN_RESET, TWO_OCTET)).toEqual({
      type: 'notification',
      code: 6,
      subcode: 4,
      data: new Uint8Array(0),
    });
    expect(roundTrip(SCAPY_NOTIFICATION_BAD_PEER_AS, TWO_OCTET)).toEqual({
      type: 'notification',
      code: 2,
      subcode: 2,
      data: Uint8Array.of(0, 0),
    });
    expect(roundTrip(SCAPY_NOTIFICATION_FLAGS_ERROR, TWO_OCTET)).toEqual({
      type: 'notification',
      code: 3,
      subcode: 4,
      data: hexBytes('80010100'),
    });
  });

  it('ROUTE-REFRESH for IPv6 unicast (scapy)', () => {
    expect(roundTrip(SCAPY_ROUTE_REFRESH, TWO_OCTET)).toEqual({ type: 'routeRefresh', afi: 2, safi: 1 });
  });
});
