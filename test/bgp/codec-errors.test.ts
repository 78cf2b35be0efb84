import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../src/protocols/bgp/codec.ts';
import type { BgpUpdate, CodecContext, DecodeOutcome } from '../../src/protocols/bgp/messages.ts';
import { bytesHex, hexBytes, SCAPY_ROUTE_REFRESH_WITH_ORF } from './vectors/published.ts';

const TWO_OCTET: CodecContext = { fourOctetAs: false };
const FOUR_OCTET: CodecContext = { fourOctetAs: true };
const MARKER = 'ff'.repeat(16);

/** A message from a type and a hex body, with a correct header. */
function message(type: number, bodyHex: string): Uint8Array {
  const body = hexBytes(bodyHex);
  const length = 19 + body.length;
  return hexBytes(`${MARKER}${hex16(length)}${hex8(type)}${bytesHex(body)}`);
}

/** An UPDATE whose Withdrawn Routes and Path Attributes lengths are computed from the hex given. */
function update(parts: { withdrawn?: string; attributes?: string; nlri?: string }): Uint8Array {
  const withdrawn = clean(parts.withdrawn ?? '');
  const attributes = clean(parts.attributes ?? '');
  return message(
    2,
    `${hex16(withdrawn.length / 2)}${withdrawn}${hex16(attributes.length / 2)}${attributes}${clean(parts.nlri ?? '')}`,
  );
}

function clean(hex: string): string {
  return hex.replace(/\s+/g, '');
}
function hex8(value: number): string {
  return value.toString(16).padStart(2, '0');
}
function hex16(value: number): string {
  return value.toString(16).padStart(4, '0');
}

// A well-formed route, piece by piece (2-octet AS session).
const ORIGIN = '400101 00';
const AS_PATH = '400204 0201fde9'; // AS_SEQUENCE [65001]
const NEXT_HOP = '400304 0a000001'; // 10.0.0.1
const MANDATORY = `${ORIGIN} ${AS_PATH} ${NEXT_HOP}`;
const NLRI = '18 0a0100 10 0a02'; // 10.1.0.0/24, 10.2.0.0/16

function expectNotification(outcome: DecodeOutcome, code: number, subcode: number, dataHex?: string): void {
  if (outcome.ok)
    throw new Error(`expected NOTIFICATION ${code}/${subcode}, got an accepted ${outcome.message.type}`);
  expect([outcome.notification.code, outcome.notification.subcode]).toEqual([code, subcode]);
  if (dataHex !== undefined) expect(bytesHex(outcome.notification.data)).toBe(clean(dataHex));
}

function acceptedUpdate(outcome: DecodeOutcome): { update: BgpUpdate; warnings: readonly string[] } {
  if (!outcome.ok) throw new Error(`expected the UPDATE to be accepted, got ${outcome.reason}`);
  if (outcome.message.type !== 'update') throw new Error(`expected an UPDATE, got ${outcome.message.type}`);
  return { update: outcome.message, warnings: outcome.warnings };
}

/** Treat-as-withdraw: the NLRI comes back as withdrawals, no attributes, and a warning naming the cause. */
function expectTreatAsWithdraw(
  outcome: DecodeOutcome,
  cause: RegExp,
  withdrawn = ['10.1.0.0/24', '10.2.0.0/16'],
): void {
  const { update: result, warnings } = acceptedUpdate(outcome);
  expect(result).toEqual({ type: 'update', withdrawn, attributes: {}, nlri: [] });
  expect(warnings.some((w) => w.startsWith('treat-as-withdraw:') && cause.test(w))).toBe(true);
  expect(warnings).toContain('treat-as-withdraw: 2 NLRI prefix(es) moved to withdrawn');
}

/** Attribute discard: the route stands, without the attribute, and a warning says so. */
function expectDiscarded(outcome: DecodeOutcome, cause: RegExp): BgpUpdate {
  const { update: result, warnings } = acceptedUpdate(outcome);
  expect(result.nlri).toEqual(['10.1.0.0/24', '10.2.0.0/16']);
  expect(warnings.some((w) => w.startsWith('attribute discard:') && cause.test(w))).toBe(true);
  expect(warnings.some((w) => w.startsWith('treat-as-withdraw:'))).toBe(false);
  return result;
}

describe('message header errors (RFC 4271 §6.1)', () => {
  it('a marker that is not all ones is Connection Not Synchronized (1/1)', () => {
    const bytes = message(4, '');
    bytes[7] = 0xfe;
    expectNotification(decodeMessage(bytes, TWO_OCTET), 1, 1, '');
  });

  it('a length field below 19 is Bad Message Length (1/2) carrying that length', () => {
    expectNotification(decodeMessage(hexBytes(`${MARKER}0012 04`), TWO_OCTET), 1, 2, '0012');
  });

  it('a length field above 4096 is Bad Message Length (1/2) carrying that length', () => {
    const bytes = new Uint8Array(4097).fill(0);
    bytes.set(hexBytes(`${MARKER}1001 02`));
    expectNotification(decodeMessage(bytes, TWO_OCTET), 1, 2, '1001');
  });

  it('an unknown message type is Bad Message Type (1/3) carrying the type', () => {
    expectNotification(decodeMessage(message(6, ''), TWO_OCTET), 1, 3, '06');
  });

  it('a KEEPALIVE that is not exactly 19 octets is Bad Message Length (1/2)', () => {
    expectNotification(decodeMessage(message(4, '00'), TWO_OCTET), 1, 2, '0014');
  });

  it.each([
    ['OPEN', 1, 29],
    ['UPDATE', 2, 23],
    ['NOTIFICATION', 3, 21],
    ['ROUTE-REFRESH', 5, 23],
  ])('an %s shorter than its minimum of %i octets is Bad Message Length (1/2)', (_name, type, minimum) => {
    const short = message(type, '00'.repeat(minimum - 20));
    expectNotification(decodeMessage(short, TWO_OCTET), 1, 2, hex16(minimum - 1));
  });

  it('bytes shorter than the length field claims are Bad Message Length (1/2) with the claimed length', () => {
    const bytes = message(2, '0000 0000 18 0a0100').subarray(0, 24);
    expectNotification(decodeMessage(bytes, TWO_OCTET), 1, 2, '001b');
  });

  it('fewer than 19 octets is Bad Message Length (1/2), never an exception', () => {
    expectNotification(decodeMessage(hexBytes(`${MARKER}0013`), TWO_OCTET), 1, 2, '0013');
    expectNotification(decodeMessage(new Uint8Array(0), TWO_OCTET), 1, 2, '0000');
  });
});

describe('OPEN errors (RFC 4271 §6.2)', () => {
  // Version 4, AS 65001, hold 90, identifier 10.0.0.1, no optional parameters.
  const open = (fields: Partial<Record<'version' | 'as' | 'hold' | 'id' | 'params', string>>): Uint8Array => {
    const params = clean(fields.params ?? '');
    return message(
      1,
      `${fields.version ?? '04'}${fields.as ?? 'fde9'}${fields.hold ?? '005a'}${fields.id ?? '0a000001'}${hex8(params.length / 2)}${params}`,
    );
  };

  it('accepts the minimal OPEN', () => {
    const outcome = decodeMessage(open({}), TWO_OCTET);
    expect(outcome.ok && outcome.message).toEqual({
      type: 'open',
      version: 4,
      myAsn: 65001,
      holdTimeSec: 90,
      bgpIdentifier: '10.0.0.1',
      capabilities: [],
    });
  });

  it('version 3 is Unsupported Version Number (2/1) with data 0x0004, the version we speak', () => {
    expectNotification(decodeMessage(open({ version: '03' }), TWO_OCTET), 2, 1, '0004');
  });

  it.each([1, 2])('hold time %is is Unacceptable Hold Time (2/6)', (hold) => {
    expectNotification(decodeMessage(open({ hold: hex16(hold) }), TWO_OCTET), 2, 6);
  });

  it.each([0, 3])('hold time %is is acceptable', (hold) => {
    expect(decodeMessage(open({ hold: hex16(hold) }), TWO_OCTET).ok).toBe(true);
  });

  it('BGP Identifier 0.0.0.0 is Bad BGP Identifier (2/3)', () => {
    expectNotification(decodeMessage(open({ id: '00000000' }), TWO_OCTET), 2, 3);
  });

  it('My AS 0 is Bad Peer AS (2/2), RFC 7607', () => {
    expectNotification(decodeMessage(open({ as: '0000' }), TWO_OCTET), 2, 2);
  });

  it('a 4-octet AS capability carrying AS 0 is Bad Peer AS (2/2), RFC 7607', () => {
    expectNotification(decodeMessage(open({ params: '0206 4104 00000000' }), TWO_OCTET), 2, 2);
  });

  it('an Optional Parameter other than Capabilities is Unsupported Optional Parameter (2/4)', () => {
    expectNotification(decodeMessage(open({ params: '0102 0000' }), TWO_OCTET), 2, 4);
  });

  it('an Optional Parameters Length that disagrees with the message is OPEN error Unspecific (2/0)', () => {
    const bytes = open({ params: '0202 0200' });
    bytes[28] = 5;
    expectNotification(decodeMessage(bytes, TWO_OCTET), 2, 0);
  });

  it('a parameter running past the OPEN is OPEN error Unspecific (2/0)', () => {
    expectNotification(decodeMessage(open({ params: '0209 0200' }), TWO_OCTET), 2, 0);
  });

  it('a capability running past its parameter is OPEN error Unspecific (2/0)', () => {
    expectNotification(decodeMessage(open({ params: '0204 4104 0000' }), TWO_OCTET), 2, 0);
  });

  it('a multiprotocol capability of length 3 is OPEN error Unspecific (2/0)', () => {
    expectNotification(decodeMessage(open({ params: '0205 0103 000100' }), TWO_OCTET), 2, 0);
  });

  it('several capabilities in one parameter (RFC 5492 §4) decode and re-encode in that grouping', () => {
    const bytes = open({ params: '020e 01040001 0001 0200 4104 0001046a  0202 0200' });
    const outcome = decodeMessage(bytes, TWO_OCTET);
    if (!outcome.ok || outcome.message.type !== 'open') throw new Error('expected an OPEN');
    expect(outcome.message.capabilities).toEqual([
      { code: 'multiprotocol', afi: 1, safi: 1 },
      { code: 'routeRefresh' },
      { code: 'fourOctetAs', asn: 66666 },
      { code: 'routeRefresh' },
    ]);
    expect(outcome.message.capabilityGrouping).toEqual([3, 1]);
    expect(bytesHex(encodeMessage(outcome.message, TWO_OCTET))).toBe(bytesHex(bytes));
    const { capabilityGrouping: _grouping, ...oneParameterEach } = outcome.message;
    expect(bytesHex(encodeMessage(oneParameterEach, TWO_OCTET))).toBe(
      bytesHex(open({ params: '0206 01040001 0001 0202 0200 0206 4104 0001046a 0202 0200' })),
    );
  });
});

describe('UPDATE errors that reset the session', () => {
  it('a Withdrawn Routes Length past the end is Malformed Attribute List (3/1)', () => {
    expectNotification(decodeMessage(message(2, '0010 0000'), TWO_OCTET), 3, 1);
  });

  it('a Total Path Attribute Length past the end is Malformed Attribute List (3/1)', () => {
    expectNotification(decodeMessage(message(2, `0000 0020 ${ORIGIN}`), TWO_OCTET), 3, 1);
  });

  it('a withdrawn prefix longer than /32 is Invalid Network Field (3/10), RFC 7606 §5.3', () => {
    expectNotification(decodeMessage(update({ withdrawn: '21 0a000001 00' }), TWO_OCTET), 3, 10);
  });

  it('an NLRI prefix running past the message is Invalid Network Field (3/10), RFC 7606 §5.3', () => {
    expectNotification(decodeMessage(update({ attributes: MANDATORY, nlri: '18 0a01' }), TWO_OCTET), 3, 10);
  });

  it('an unrecognised well-known attribute is Unrecognized Well-known Attribute (3/2) carrying the attribute', () => {
    const outcome = decodeMessage(update({ attributes: `${MANDATORY} 406302 abcd`, nlri: NLRI }), TWO_OCTET);
    expectNotification(outcome, 3, 2, '406302abcd');
  });

  it('MP_REACH_NLRI twice is Malformed Attribute List (3/1), RFC 7606 §3(g)', () => {
    const mpReach = '800e05 0001010000';
    expectNotification(decodeMessage(update({ attributes: `${mpReach} ${mpReach}` }), TWO_OCTET), 3, 1);
  });
});

describe('UPDATE errors handled by treat-as-withdraw (RFC 7606)', () => {
  const withAttributes = (attributes: string, ctx: CodecContext = TWO_OCTET): DecodeOutcome =>
    decodeMessage(update({ attributes, nlri: NLRI }), ctx);

  it('ORIGIN of length 2 (§7.1)', () => {
    expectTreatAsWithdraw(withAttributes(`400102 0000 ${AS_PATH} ${NEXT_HOP}`), /ORIGIN length 2/);
  });

  it('ORIGIN value 7 (§7.1)', () => {
    expectTreatAsWithdraw(withAttributes(`400101 07 ${AS_PATH} ${NEXT_HOP}`), /ORIGIN value 7/);
  });

  it.each([
    ['a segment overrunning the attribute', '400204 0202fde9', /overruns/],
    ['a single octet after the last segment', '400205 0201fde9 02', /single octet/],
    ['a segment of length zero', '400202 0200', /length 0/],
    ['an AS_CONFED_SEQUENCE segment type', '400204 0301fde9', /segment type 3/],
    ['AS 0 in the path (RFC 7607)', '400204 02010000', /AS 0/],
  ])('AS_PATH with %s (§7.2)', (_case, asPath, cause) => {
    expectTreatAsWithdraw(withAttributes(`${ORIGIN} ${asPath} ${NEXT_HOP}`), cause);
  });

  it('AS_PATH with 2-octet ASNs in a 4-octet session overruns (§7.2)', () => {
    expectTreatAsWithdraw(withAttributes(MANDATORY, FOUR_OCTET), /AS_PATH malformed/);
  });

  it('NEXT_HOP of length 5 (§7.3)', () => {
    expectTreatAsWithdraw(withAttributes(`${ORIGIN} ${AS_PATH} 400305 0a00000100`), /NEXT_HOP length 5/);
  });

  it.each(['00000000', '7f000001', 'e0000001', 'ffffffff'])(
    'NEXT_HOP %s is not a host address (§7.3)',
    (hop) => {
      expectTreatAsWithdraw(withAttributes(`${ORIGIN} ${AS_PATH} 400304 ${hop}`), /not a host address/);
    },
  );

  it('MULTI_EXIT_DISC of length 3 (§7.4)', () => {
    expectTreatAsWithdraw(withAttributes(`${MANDATORY} 800403 000000`), /MULTI_EXIT_DISC length 3/);
  });

  it('LOCAL_PREF of length 2 from an internal peer (§7.5)', () => {
    expectTreatAsWithdraw(withAttributes(`${MANDATORY} 400502 0064`), /LOCAL_PREF length 2/);
  });

  it.each(['', '00000001 00'])('COMMUNITIES of length %s is not a non-zero multiple of 4 (§7.8)', (value) => {
    const attribute = `c008${hex8(clean(value).length / 2)} ${value}`;
    expectTreatAsWithdraw(withAttributes(`${MANDATORY} ${attribute}`), /COMMUNITIES length/);
  });

  it('ORIGIN sent as optional has conflicting flags (§3(c))', () => {
    expectTreatAsWithdraw(withAttributes(`c00101 00 ${AS_PATH} ${NEXT_HOP}`), /ORIGIN flags 0xc0/);
  });

  it('MULTI_EXIT_DISC sent as well-known transitive has conflicting flags (§3(c))', () => {
    expectTreatAsWithdraw(withAttributes(`${MANDATORY} 400404 00000064`), /MULTI_EXIT_DISC flags 0x40/);
  });

  it.each([
    ['ORIGIN', `${AS_PATH} ${NEXT_HOP}`],
    ['AS_PATH', `${ORIGIN} ${NEXT_HOP}`],
    ['NEXT_HOP', `${ORIGIN} ${AS_PATH}`],
  ])('missing well-known mandatory %s with NLRI present (§3(d))', (missing, attributes) => {
    expectTreatAsWithdraw(withAttributes(attributes), new RegExp(`missing well-known mandatory ${missing}`));
  });

  it('NLRI with no path attributes at all (§3(d))', () => {
    expectTreatAsWithdraw(withAttributes(''), /missing well-known mandatory ORIGIN, AS_PATH, NEXT_HOP/);
  });

  it('an attribute whose length overruns the Total Path Attribute Length (§4), NLRI still found', () => {
    expectTreatAsWithdraw(withAttributes(`${MANDATORY} c00808 00000001`), /COMMUNITIES length 8 overruns/);
  });

  it('too few octets left for an attribute header (§4)', () => {
    expectTreatAsWithdraw(withAttributes(`${MANDATORY} c008`), /too few for an attribute header/);
  });

  it('an Extended Length attribute with only three header octets left (§4)', () => {
    expectTreatAsWithdraw(withAttributes(`${MANDATORY} d00800`), /too few for an attribute header/);
  });

  it('withdrawals already in the UPDATE come first, then the NLRI it could not announce', () => {
    const outcome = decodeMessage(
      update({ withdrawn: '08 0b', attributes: `400101 09 ${AS_PATH} ${NEXT_HOP}`, nlri: NLRI }),
      TWO_OCTET,
    );
    expectTreatAsWithdraw(outcome, /ORIGIN value 9/, ['11.0.0.0/8', '10.1.0.0/24', '10.2.0.0/16']);
  });

  it('an UPDATE without NLRI needs no mandatory attributes (End-of-RIB, RFC 4724)', () => {
    const outcome = decodeMessage(update({}), TWO_OCTET);
    expect(outcome).toEqual({
      ok: true,
      message: { type: 'update', withdrawn: [], attributes: {}, nlri: [] },
      warnings: [],
    });
  });
});

describe('UPDATE errors handled by attribute discard (RFC 7606)', () => {
  const withAttributes = (attributes: string, ctx: CodecContext = TWO_OCTET): DecodeOutcome =>
    decodeMessage(update({ attributes: `${MANDATORY} ${attributes}`, nlri: NLRI }), ctx);

  it('LOCAL_PREF from an external peer (§7.5)', () => {
    const kept = expectDiscarded(
      withAttributes('400504 00000064', { fourOctetAs: false, externalPeer: true }),
      /LOCAL_PREF from an external peer/,
    );
    expect(kept.attributes.localPref).toBeUndefined();
  });

  it('ATOMIC_AGGREGATE of length 1 (§7.6)', () => {
    const kept = expectDiscarded(withAttributes('400601 00'), /ATOMIC_AGGREGATE length 1/);
    expect(kept.attributes.atomicAggregate).toBeUndefined();
    expect(kept.attributes.nextHop).toBe('10.0.0.1');
  });

  it('AGGREGATOR of length 7 in a 2-octet session (§7.7)', () => {
    expectDiscarded(withAttributes('c00707 fde9 0a000001 00'), /AGGREGATOR length 7, expected 6/);
  });

  it('AGGREGATOR of length 6 in a 4-octet session (§7.7)', () => {
    const fourOctetPath = '400206 0201 0000fde9';
    const outcome = decodeMessage(
      update({ attributes: `${ORIGIN} ${fourOctetPath} ${NEXT_HOP} c00706 fde9 0a000001`, nlri: NLRI }),
      FOUR_OCTET,
    );
    expectDiscarded(outcome, /AGGREGATOR length 6, expected 8/);
  });

  it('a repeated attribute keeps the first occurrence (§3(g))', () => {
    const kept = expectDiscarded(withAttributes('400304 0a000002'), /duplicate NEXT_HOP/);
    expect(kept.attributes.nextHop).toBe('10.0.0.1');
  });

  it('AS4_PATH between two 4-octet speakers (RFC 6793 §4.1)', () => {
    const fourOctetPath = '400206 0201 0000fde9';
    const outcome = decodeMessage(
      update({ attributes: `${ORIGIN} ${fourOctetPath} ${NEXT_HOP} c01106 0201 0000fde9`, nlri: NLRI }),
      FOUR_OCTET,
    );
    const kept = expectDiscarded(outcome, /AS4_PATH between two 4-octet AS speakers/);
    expect(kept.attributes.unknown).toBeUndefined();
  });

  it('AS4_PATH in a 2-octet session passes through as an unknown attribute', () => {
    const { update: result, warnings } = acceptedUpdate(withAttributes('c01106 0201 0001046a'));
    expect(warnings).toEqual([]);
    expect(result.attributes.unknown).toEqual([
      { flags: 0xc0, typeCode: 17, value: hexBytes('02010001046a') },
    ]);
  });
});

describe('ROUTE-REFRESH errors (RFC 7313 §5)', () => {
  it('a longer ROUTE-REFRESH is Invalid Message Length (7/1) carrying the whole message', () => {
    const bytes = message(5, '0001 00 01 00');
    expectNotification(decodeMessage(bytes, TWO_OCTET), 7, 1, bytesHex(bytes));
  });

  it('a published ROUTE-REFRESH with ORF entries is refused the same way: we never advertise ORF', () => {
    const bytes = hexBytes(SCAPY_ROUTE_REFRESH_WITH_ORF.hex);
    expectNotification(decodeMessage(bytes, TWO_OCTET), 7, 1, bytesHex(bytes));
  });

  it('Beginning and End of Route Refresh keep their subtype; an unknown subtype is flagged for the session to ignore', () => {
    const borr = decodeMessage(message(5, '0001 01 01'), TWO_OCTET);
    expect(borr).toEqual({
      ok: true,
      message: { type: 'routeRefresh', afi: 1, safi: 1, subtype: 1 },
      warnings: [],
    });
    const unknown = decodeMessage(message(5, '0001 07 01'), TWO_OCTET);
    expect(unknown.ok && unknown.warnings).toEqual([
      'ignore: ROUTE-REFRESH subtype 7 is unknown (RFC 7313 §5)',
    ]);
  });
});
