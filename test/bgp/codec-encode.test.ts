import { describe, expect, it } from 'vitest';
import {
  codecContextFor,
  decodeMessage,
  describeNotification,
  encodeMessage,
  myAsnField,
  notificationMessage,
  speakerAsn,
} from '../../src/protocols/bgp/codec.ts';
import type { BgpMessage, BgpOpen, BgpUpdate, CodecContext } from '../../src/protocols/bgp/messages.ts';
import { bytesHex, DPKT_UPDATE_OUT_OF_ORDER, hexBytes } from './vectors/published.ts';

const TWO_OCTET: CodecContext = { fourOctetAs: false };
const FOUR_OCTET: CodecContext = { fourOctetAs: true };
const MARKER = 'ff'.repeat(16);

function encodedHex(message: BgpMessage, ctx: CodecContext = FOUR_OCTET): string {
  return bytesHex(encodeMessage(message, ctx));
}

function decoded(bytes: Uint8Array, ctx: CodecContext): BgpMessage {
  const outcome = decodeMessage(bytes, ctx);
  if (!outcome.ok) throw new Error(outcome.reason);
  return outcome.message;
}

/** The OPEN an Azure VPN gateway instance would send: AS 65515, IPv4 unicast, route refresh, 4-octet AS. */
const AZURE_OPEN: BgpOpen = {
  type: 'open',
  version: 4,
  myAsn: 65515,
  holdTimeSec: 180,
  bgpIdentifier: '10.1.0.4',
  capabilities: [
    { code: 'multiprotocol', afi: 1, safi: 1 },
    { code: 'routeRefresh' },
    { code: 'fourOctetAs', asn: 65515 },
  ],
};

const ROUTE: BgpUpdate = {
  type: 'update',
  withdrawn: ['192.168.0.0/16'],
  attributes: {
    origin: 'igp',
    asPath: [{ type: 'sequence', asns: [65515, 4200000001] }],
    nextHop: '169.254.21.1',
    med: 10,
  },
  nlri: ['10.1.0.0/16', '10.2.3.0/24'],
};

describe('encoding each message type to the bytes RFC 4271 lays out', () => {
  it('KEEPALIVE is the bare 19-octet header', () => {
    expect(encodedHex({ type: 'keepalive' })).toBe(`${MARKER}001304`);
  });

  it('OPEN puts each capability in its own Optional Parameter', () => {
    expect(encodedHex(AZURE_OPEN)).toBe(
      `${MARKER}0031 01 04 ffeb 00b4 0a010004 14 0206 01040001 0001 0202 0200 0206 4104 0000ffeb`.replace(
        / /g,
        '',
      ),
    );
  });

  it('UPDATE writes withdrawn routes, attributes in type order, then NLRI', () => {
    expect(encodedHex(ROUTE)).toBe(
      `${MARKER}0040 02 0003 10c0a8 001f 400101 00 40020a 0202 0000ffeb fa56ea01 400304 a9fe1501 800404 0000000a 100a01 180a0203`.replace(
        / /g,
        '',
      ),
    );
    expect(decoded(encodeMessage(ROUTE, FOUR_OCTET), FOUR_OCTET)).toEqual(ROUTE);
  });

  it('NOTIFICATION carries code, subcode and data', () => {
    const hold = notificationMessage(4, 0);
    expect(encodedHex(hold)).toBe(`${MARKER}00150304 00`.replace(/ /g, ''));
    expect(encodedHex(notificationMessage(2, 1, Uint8Array.of(0, 4)))).toBe(
      `${MARKER}0017030201 0004`.replace(/ /g, ''),
    );
  });

  it('ROUTE-REFRESH carries AFI, subtype and SAFI', () => {
    expect(encodedHex({ type: 'routeRefresh', afi: 1, safi: 1 })).toBe(
      `${MARKER}0017050001 00 01`.replace(/ /g, ''),
    );
    expect(encodedHex({ type: 'routeRefresh', afi: 1, safi: 1, subtype: 2 })).toBe(
      `${MARKER}0017050001 02 01`.replace(/ /g, ''),
    );
  });

  it('2-octet sessions write 2-octet ASNs in AS_PATH and AGGREGATOR', () => {
    const update: BgpUpdate = {
      type: 'update',
      withdrawn: [],
      attributes: {
        asPath: [{ type: 'set', asns: [65001] }],
        aggregator: { asn: 65001, address: '10.0.0.1' },
      },
      nlri: [],
    };
    expect(encodedHex(update, TWO_OCTET)).toBe(
      `${MARKER}0027 02 0000 0010 400204 0101fde9 c00706 fde9 0a000001`.replace(/ /g, ''),
    );
    expect(decoded(encodeMessage(update, TWO_OCTET), TWO_OCTET)).toEqual(update);
  });
});

describe('encoding choices', () => {
  it('an AS_PATH longer than 255 octets gets the Extended Length bit and still round-trips', () => {
    const longPath: BgpUpdate = {
      ...ROUTE,
      attributes: {
        ...ROUTE.attributes,
        asPath: [
          { type: 'sequence', asns: Array.from({ length: 70 }, (_, i) => 64512 + i) },
          { type: 'set', asns: [1, 2, 3] },
        ],
      },
    };
    const bytes = encodeMessage(longPath, FOUR_OCTET);
    // ORIGIN (4 octets) follows the 2+3+2+2 octets of lengths and /16 withdrawal; AS_PATH's flags come next.
    expect(bytes[19 + 2 + 3 + 2 + 4]).toBe(0x50);
    expect(decoded(bytes, FOUR_OCTET)).toEqual(longPath);
  });

  it('an empty communities list and atomicAggregate false write no attribute at all', () => {
    const plain = encodeMessage(ROUTE, FOUR_OCTET);
    const withEmpties = encodeMessage(
      { ...ROUTE, attributes: { ...ROUTE.attributes, communities: [], atomicAggregate: false } },
      FOUR_OCTET,
    );
    expect(bytesHex(withEmpties)).toBe(bytesHex(plain));
  });

  it('a received layout is kept for the attributes still present; new ones follow in type order', () => {
    const received = decoded(hexBytes(DPKT_UPDATE_OUT_OF_ORDER.hex), FOUR_OCTET) as BgpUpdate;
    const edited: BgpUpdate = {
      ...received,
      attributes: { ...received.attributes, localPref: undefined, med: 5 },
    };
    const again = decoded(encodeMessage(edited, FOUR_OCTET), FOUR_OCTET) as BgpUpdate;
    expect(again.attributeLayout?.map((entry) => entry.typeCode)).toEqual([1, 2, 16, 128, 14, 4]);
    expect(again.attributes.med).toBe(5);
  });
});

describe('encoding bugs throw instead of writing bytes a peer would reject', () => {
  const update = (attributes: BgpUpdate['attributes'], nlri: string[] = []): BgpUpdate => ({
    type: 'update',
    withdrawn: [],
    attributes,
    nlri,
  });

  it.each(['10.1.0.1/16', '10.1.0.0/33', '10.1.0/16', '10.01.0.0/16', 'default'])(
    'a prefix that is not canonical a.b.c.d/len: %s',
    (prefix) => {
      expect(() => encodeMessage(update({}, [prefix]), FOUR_OCTET)).toThrow(RangeError);
    },
  );

  it('a NEXT_HOP that is not a dotted quad', () => {
    expect(() => encodeMessage(update({ nextHop: '169.254.21' }), FOUR_OCTET)).toThrow(/NEXT_HOP/);
  });

  it('a 4-octet ASN in a 2-octet session (the caller owes RFC 6793 AS_TRANS + AS4_PATH)', () => {
    expect(() =>
      encodeMessage(update({ asPath: [{ type: 'sequence', asns: [4200000001] }] }), TWO_OCTET),
    ).toThrow(/AS4_PATH/);
    expect(() =>
      encodeMessage(update({ aggregator: { asn: 4200000001, address: '10.0.0.1' } }), TWO_OCTET),
    ).toThrow(/AS4_AGGREGATOR/);
  });

  it('AS_PATH segments of 0 or 256 ASNs', () => {
    expect(() => encodeMessage(update({ asPath: [{ type: 'sequence', asns: [] }] }), FOUR_OCTET)).toThrow(
      /1\.\.255/,
    );
    const long = Array.from({ length: 256 }, () => 65001);
    expect(() => encodeMessage(update({ asPath: [{ type: 'sequence', asns: long }] }), FOUR_OCTET)).toThrow(
      /1\.\.255/,
    );
  });

  it('an UPDATE above 4096 octets', () => {
    const nlri = Array.from({ length: 900 }, (_, i) => `10.${i >> 8}.${i & 0xff}.1/32`);
    expect(() => encodeMessage(update({}, nlri), FOUR_OCTET)).toThrow(/4096/);
  });

  it('an unknown attribute or capability that has a typed form, or a repeated unknown attribute', () => {
    const nextHopAsUnknown = { flags: 0x40, typeCode: 3, value: Uint8Array.of(10, 0, 0, 1) };
    expect(() => encodeMessage(update({ unknown: [nextHopAsUnknown] }), FOUR_OCTET)).toThrow(/typed field/);
    const community = { flags: 0xc0, typeCode: 32, value: new Uint8Array(12) };
    expect(() => encodeMessage(update({ unknown: [community, community] }), FOUR_OCTET)).toThrow(/twice/);
    const fourOctetAsAsUnknown: BgpOpen = {
      ...AZURE_OPEN,
      capabilities: [{ code: 'unknown', type: 65, value: new Uint8Array(4) }],
    };
    expect(() => encodeMessage(fourOctetAsAsUnknown, FOUR_OCTET)).toThrow(/typed form/);
  });

  it('an OPEN whose My AS needs 4 octets, or whose grouping does not match its capabilities', () => {
    expect(() => encodeMessage({ ...AZURE_OPEN, myAsn: 4200000001 }, FOUR_OCTET)).toThrow(/AS_TRANS/);
    expect(() => encodeMessage({ ...AZURE_OPEN, capabilityGrouping: [2] }, FOUR_OCTET)).toThrow(
      /capabilityGrouping/,
    );
  });
});

describe('OPEN negotiation helpers (RFC 6793)', () => {
  const siteOpen: BgpOpen = {
    type: 'open',
    version: 4,
    myAsn: myAsnField(4200000001),
    holdTimeSec: 90,
    bgpIdentifier: '172.16.0.1',
    capabilities: [{ code: 'fourOctetAs', asn: 4200000001 }],
  };

  it('a 4-octet ASN travels as AS_TRANS in My AS and in full in the capability', () => {
    expect(siteOpen.myAsn).toBe(23456);
    expect(myAsnField(65515)).toBe(65515);
    expect(speakerAsn(siteOpen)).toBe(4200000001);
    expect(speakerAsn({ ...AZURE_OPEN, capabilities: [] })).toBe(65515);
  });

  it('4-octet AS_PATHs only when both sides advertised the capability; eBGP when the ASNs differ', () => {
    expect(codecContextFor(AZURE_OPEN, siteOpen)).toEqual({ fourOctetAs: true, externalPeer: true });
    expect(codecContextFor(AZURE_OPEN, { ...siteOpen, myAsn: 65001, capabilities: [] })).toEqual({
      fourOctetAs: false,
      externalPeer: true,
    });
    expect(codecContextFor(AZURE_OPEN, { ...AZURE_OPEN, bgpIdentifier: '10.1.0.5' })).toEqual({
      fourOctetAs: true,
      externalPeer: false,
    });
  });
});

describe('describeNotification', () => {
  it.each([
    [6, 4, 'Cease / Administrative Reset (6/4)'],
    [3, 11, 'UPDATE Message Error / Malformed AS_PATH (3/11)'],
    [4, 0, 'Hold Timer Expired (4/0)'],
    [2, 0, 'OPEN Message Error / Unspecific (2/0)'],
    [7, 1, 'ROUTE-REFRESH Message Error / Invalid Message Length (7/1)'],
    [6, 99, 'Cease / subcode 99 (6/99)'],
    [42, 0, 'Error code 42 (42/0)'],
  ])('%i/%i reads "%s"', (code, subcode, text) => {
    expect(describeNotification({ code, subcode })).toBe(text);
  });
});
