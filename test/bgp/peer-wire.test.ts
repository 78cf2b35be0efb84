import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../src/protocols/bgp/codec.ts';
import type { FsmConfig } from '../../src/protocols/bgp/fsm.ts';
import { buildOpen } from '../../src/protocols/bgp/fsm.ts';
import type { BgpMessage, BgpUpdate, CodecContext } from '../../src/protocols/bgp/messages.ts';
import type { PeerConfig } from '../../src/protocols/bgp/peer.ts';
import type { WireOutput } from '../../src/protocols/bgp/wire.ts';
import { BgpWire } from '../../src/protocols/bgp/wire.ts';
import { AZURE, DEVICE, KEEPALIVE } from './bgp-fixtures.ts';

const FOUR_OCTET: CodecContext = { fourOctetAs: true, externalPeer: true };

/** Azure's wire endpoint with its outbound connection 1 up and our OPEN sent. */
function azureWithTcpUp(config: Partial<PeerConfig> = {}) {
  const wire = new BgpWire({ ...AZURE, initiate: true, ...config });
  wire.handle(0, { kind: 'start' });
  const opened = wire.handle(0, { kind: 'tcpConnected', conn: 1 });
  return { wire, opened };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function bytesOf(messages: BgpMessage[], ctx: CodecContext = FOUR_OCTET): Uint8Array {
  return concat(messages.map((m) => encodeMessage(m, ctx)));
}

/** Outputs that say what happened (timers left out). */
function events(outputs: readonly WireOutput[]): unknown[] {
  return outputs.filter((o) => o.kind !== 'armTimer' && o.kind !== 'cancelTimer');
}

const bigAsnDevice: FsmConfig = { localAsn: 4_200_000_001, localBgpId: '192.168.1.1', peerAsn: 65515 };
const siteRoutes: BgpUpdate = {
  type: 'update',
  withdrawn: [],
  attributes: {
    origin: 'igp',
    asPath: [{ type: 'sequence', asns: [4_200_000_001] }],
    nextHop: '192.168.1.1',
  },
  nlri: ['192.168.1.0/24'],
};

describe('BGP wire adapter', () => {
  it('sends bytes that decode to the message it reports', () => {
    const { opened } = azureWithTcpUp();
    const send = opened.find((o) => o.kind === 'send');
    if (send?.kind !== 'send') throw new Error('no OPEN sent');
    expect(send.msg).toEqual(buildOpen(AZURE));
    expect(decodeMessage(send.bytes, FOUR_OCTET)).toMatchObject({ ok: true, message: buildOpen(AZURE) });
  });

  it('OPEN, KEEPALIVE and a 4-octet-AS UPDATE in one chunk: the UPDATE is decoded with the context just negotiated', () => {
    const { wire } = azureWithTcpUp({ peerAsn: 4_200_000_001 });
    const stream = bytesOf([buildOpen(bigAsnDevice), KEEPALIVE, siteRoutes]);
    const out = wire.handle(0, { kind: 'bytes', conn: 1, bytes: stream });
    expect(out.find((o) => o.kind === 'established')).toMatchObject({ negotiated: { fourOctetAs: true } });
    expect(out.find((o) => o.kind === 'update')).toEqual({ kind: 'update', conn: 1, update: siteRoutes });
  });

  it('a session without 4-octet AS reads 2-octet AS_PATHs', () => {
    const { wire } = azureWithTcpUp({ fourOctetAs: false });
    const twoOctet: BgpUpdate = {
      ...siteRoutes,
      attributes: { ...siteRoutes.attributes, asPath: [{ type: 'sequence', asns: [65010] }] },
    };
    const out = wire.handle(0, {
      kind: 'bytes',
      conn: 1,
      bytes: concat([
        encodeMessage(buildOpen(DEVICE), FOUR_OCTET),
        encodeMessage(KEEPALIVE, FOUR_OCTET),
        encodeMessage(twoOctet, { fourOctetAs: false, externalPeer: true }),
      ]),
    });
    expect(out.find((o) => o.kind === 'established')).toMatchObject({ negotiated: { fourOctetAs: false } });
    expect(out.find((o) => o.kind === 'update')).toEqual({ kind: 'update', conn: 1, update: twoOctet });
  });

  it('however TCP cuts the stream, the session sees the same messages', () => {
    const stream = bytesOf([
      buildOpen(DEVICE),
      KEEPALIVE,
      {
        ...siteRoutes,
        attributes: { ...siteRoutes.attributes, asPath: [{ type: 'sequence', asns: [65010] }] },
      },
      KEEPALIVE,
    ]);
    const { wire: whole } = azureWithTcpUp();
    const expected = events(whole.handle(0, { kind: 'bytes', conn: 1, bytes: stream }));
    expect(expected.some((o) => (o as WireOutput).kind === 'update')).toBe(true);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 12 }),
        (cuts) => {
          const { wire } = azureWithTcpUp();
          const bounds = [0, ...[...cuts].sort((a, b) => a - b), stream.length];
          const seen: unknown[] = [];
          for (let i = 0; i + 1 < bounds.length; i++) {
            const chunk = stream.subarray(bounds[i], bounds[i + 1]);
            seen.push(...events(wire.handle(0, { kind: 'bytes', conn: 1, bytes: chunk })));
          }
          expect(seen).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a broken header (bad marker) goes to the FSM as Event 21: NOTIFICATION 1/1, close, later bytes ignored', () => {
    const { wire } = azureWithTcpUp();
    const garbage = new Uint8Array(19).fill(0);
    const out = wire.handle(0, { kind: 'bytes', conn: 1, bytes: garbage });
    const sent = out.filter((o) => o.kind === 'send');
    expect(sent.map((o) => (o.kind === 'send' ? o.msg : undefined))).toMatchObject([
      { type: 'notification', code: 1, subcode: 1 },
    ]);
    expect(out.some((o) => o.kind === 'close' && o.conn === 1)).toBe(true);
    expect(wire.handle(0, { kind: 'bytes', conn: 1, bytes: bytesOf([KEEPALIVE]) })).toEqual([]);
  });

  it('what follows a fatal message in the same chunk is never read', () => {
    const { wire } = azureWithTcpUp();
    const badAs = { ...buildOpen(DEVICE), myAsn: 65011, capabilities: [] };
    const out = wire.handle(0, { kind: 'bytes', conn: 1, bytes: bytesOf([badAs, KEEPALIVE, KEEPALIVE]) });
    expect(out.filter((o) => o.kind === 'send').map((o) => (o.kind === 'send' ? o.msg.type : ''))).toEqual([
      'notification',
    ]);
    expect(out.filter((o) => o.kind === 'close')).toEqual([{ kind: 'close', conn: 1 }]);
  });

  it('an UPDATE whose withdrawn-routes length overruns the message resets the session with the codec’s UPDATE error', () => {
    const { wire } = azureWithTcpUp();
    wire.handle(0, { kind: 'bytes', conn: 1, bytes: bytesOf([buildOpen(DEVICE), KEEPALIVE]) });
    const broken = Uint8Array.of(...new Array<number>(16).fill(0xff), 0, 23, 2, 0xff, 0xff, 0, 0);
    const expected = decodeMessage(broken, FOUR_OCTET);
    if (expected.ok) throw new Error('the codec accepted a broken UPDATE');
    expect(expected.notification.code).toBe(3);
    const out = wire.handle(0, { kind: 'bytes', conn: 1, bytes: broken });
    expect(out.find((o) => o.kind === 'send')).toMatchObject({ msg: expected.notification });
    expect(out.find((o) => o.kind === 'down')).toMatchObject({
      reason: { kind: 'notificationSent', notification: expected.notification },
    });
  });

  it('an UPDATE the codec repairs (RFC 7606 treat-as-withdraw) is delivered with a warning, not a reset', () => {
    const { wire } = azureWithTcpUp();
    wire.handle(0, { kind: 'bytes', conn: 1, bytes: bytesOf([buildOpen(DEVICE), KEEPALIVE]) });
    const noAttributes: BgpUpdate = {
      type: 'update',
      withdrawn: [],
      attributes: {},
      nlri: ['192.168.1.0/24'],
    };
    const out = wire.handle(0, { kind: 'bytes', conn: 1, bytes: bytesOf([noAttributes]) });
    expect(out.find((o) => o.kind === 'decodeWarning')).toBeDefined();
    expect(out.find((o) => o.kind === 'update')).toMatchObject({
      update: { withdrawn: ['192.168.1.0/24'], nlri: [] },
    });
    expect(wire.peer.session).toBeDefined();
  });
});
