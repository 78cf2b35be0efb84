/**
 * Bugs the BGP fuzzer found, each pinned down by the smallest input that shows it.
 */
import { describe, expect, it } from 'vitest';
import { openWire } from '../../fuzz/bgp/harness.ts';
import { decodeMessage, encodeMessage } from '../../src/protocols/bgp/codec.ts';
import { HEADER_LENGTH, MAX_MESSAGE_LENGTH } from '../../src/protocols/bgp/messages.ts';

/** A ROUTE-REFRESH (type 5) whose header claims `length` octets, AFI 1 / SAFI 1, then filler. */
function longRouteRefresh(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  bytes.fill(0xff, 0, 16);
  bytes[16] = length >>> 8;
  bytes[17] = length & 0xff;
  bytes[18] = 5;
  bytes.set([0, 1, 0, 1], HEADER_LENGTH);
  for (let i = HEADER_LENGTH + 4; i < length; i++) bytes[i] = i & 0xff;
  return bytes;
}

describe('fuzz find 1: a NOTIFICATION quoting a whole message must still fit in 4,096 octets', () => {
  it('a 4,096-octet ROUTE-REFRESH draws 7/1 with its first 4,075 octets as data, so the NOTIFICATION is exactly 4,096 octets', () => {
    const refresh = longRouteRefresh(MAX_MESSAGE_LENGTH);
    const outcome = decodeMessage(refresh, { fourOctetAs: true });
    if (outcome.ok) throw new Error('a 4,096-octet ROUTE-REFRESH was accepted');
    expect([outcome.notification.code, outcome.notification.subcode]).toEqual([7, 1]);
    expect(outcome.notification.data).toEqual(refresh.slice(0, 4075));
    expect(encodeMessage(outcome.notification, { fourOctetAs: true })).toHaveLength(MAX_MESSAGE_LENGTH);
  });

  it('a ROUTE-REFRESH short enough to quote whole (4,075 octets) is still quoted whole (RFC 7313 §5)', () => {
    const refresh = longRouteRefresh(4075);
    const outcome = decodeMessage(refresh, { fourOctetAs: true });
    expect(outcome.ok ? undefined : outcome.notification.data).toEqual(refresh);
  });

  it('an Established session sent that ROUTE-REFRESH answers 7/1 and closes, instead of throwing out of BgpWire.handle', () => {
    const wire = openWire('ebgp-4', true);
    const out = wire.handle(0, { kind: 'bytes', conn: 1, bytes: longRouteRefresh(MAX_MESSAGE_LENGTH) });
    const sent = out.flatMap((o) => (o.kind === 'send' ? [o] : []));
    expect(
      sent.map((o) => (o.msg.type === 'notification' ? `${o.msg.code}/${o.msg.subcode}` : o.msg.type)),
    ).toEqual(['7/1']);
    expect(sent[0]?.bytes).toHaveLength(MAX_MESSAGE_LENGTH);
    expect(out.some((o) => o.kind === 'close' && o.conn === 1)).toBe(true);
    expect(out.some((o) => o.kind === 'down')).toBe(true);
  });
});
