import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConnId, PeerInput, PeerTimer } from '../../src/protocols/bgp/peer.ts';
import { BgpPeer } from '../../src/protocols/bgp/peer.ts';
import { AZURE, DEVICE, KEEPALIVE, notificationOf, openFrom, update } from './bgp-fixtures.ts';

/**
 * Connection ids in generated inputs are placeholders: index i means the peer's
 * i-th live connection at that moment, beyond the list an unknown id. That way
 * random inputs mostly hit real connections.
 */
const conn = fc.integer({ min: 0, max: 2 });

function resolve(input: PeerInput, peer: BgpPeer): PeerInput {
  if (!('conn' in input)) return input;
  const live = peer.connectionList;
  const real = live[input.conn]?.conn ?? 99;
  return { ...input, conn: real };
}

const peerInputs: fc.Arbitrary<PeerInput> = fc.oneof(
  fc.constant({ kind: 'start' as const }),
  fc.constant({ kind: 'stop' as const }),
  fc.constant({ kind: 'tcpAccepted' as const }),
  conn.map((c) => ({ kind: 'tcpConnected' as const, conn: c })),
  conn.map((c) => ({ kind: 'tcpConnectFailed' as const, conn: c })),
  conn.map((c) => ({ kind: 'tcpClosed' as const, conn: c })),
  fc.record({
    kind: fc.constant('message' as const),
    conn,
    msg: fc.constantFrom(
      openFrom(DEVICE),
      openFrom(DEVICE),
      KEEPALIVE,
      KEEPALIVE,
      update(['192.168.1.0/24', '192.168.2.0/24'], '192.168.1.1', [65010]),
      update(['192.168.3.0/24'], '192.168.1.1', [65010], ['192.168.1.0/24']),
      notificationOf(6, 2),
    ),
  }),
  fc.record({
    kind: fc.constant('decodeError' as const),
    conn,
    notification: fc.constant(notificationOf(1, 1)),
  }),
  fc.constant({ kind: 'announce' as const, update: update(['10.0.0.0/16'], '10.0.0.12', [65515]) }),
  fc.record({
    kind: fc.constant('timer' as const),
    timer: fc.oneof(
      fc.constant<PeerTimer>('idleHold'),
      fc
        .tuple(conn, fc.constantFrom('connectRetry', 'hold', 'keepalive'))
        .map(([c, t]) => `${c}:${t}` as PeerTimer),
    ),
  }),
);

/** A handshake on the i-th connection, whole or cut short, mixed into the noise so sessions do come up. */
const handshake: fc.Arbitrary<PeerInput[]> = fc
  .tuple(conn, fc.integer({ min: 1, max: 4 }), fc.boolean())
  .map(([index, length, inbound]) =>
    (
      [
        inbound ? { kind: 'tcpAccepted' } : { kind: 'start' },
        { kind: 'tcpConnected', conn: index },
        { kind: 'message', conn: index, msg: openFrom(DEVICE) },
        { kind: 'message', conn: index, msg: KEEPALIVE },
      ] satisfies PeerInput[]
    ).slice(0, length),
  );

const sequences = fc
  .array(
    fc.oneof(
      peerInputs.map((input) => [input]),
      handshake,
    ),
    { maxLength: 40 },
  )
  .map((chunks) => chunks.flat());

describe('BGP peer under arbitrary inputs', () => {
  it('never throws, never holds two Established sessions, and keeps its timer and session story straight', () => {
    let runsWithSession = 0;
    fc.assert(
      fc.property(sequences, fc.boolean(), (sequence, asAzure) => {
        let sawSession = false;
        const peer = new BgpPeer(asAzure ? { ...AZURE, maxPrefixes: 2 } : { ...DEVICE, peerAsn: 65515 });
        const armed = new Set<PeerTimer>();
        const up = new Set<ConnId>();
        for (const input of sequence) {
          // Feed only valid OPENs for the configured neighbour: Azure expects 65010, the device 65515.
          const resolved = resolve(input, peer);
          const fixed =
            resolved.kind === 'message' && resolved.msg.type === 'open' && !asAzure
              ? { ...resolved, msg: openFrom(AZURE) }
              : resolved;
          if (fixed.kind === 'timer') {
            // Only armed timers fire; a stale one would be a runtime bug, not a peer input.
            if (!armed.has(fixed.timer)) continue;
            armed.delete(fixed.timer);
          }
          for (const o of peer.handle(0, fixed)) {
            if (o.kind === 'armTimer') armed.add(o.timer);
            if (o.kind === 'cancelTimer') armed.delete(o.timer);
            if (o.kind === 'established') {
              expect(up.has(o.conn)).toBe(false);
              up.add(o.conn);
              sawSession = true;
            }
            if (o.kind === 'down') {
              expect(up.has(o.conn)).toBe(true);
              up.delete(o.conn);
            }
            if (o.kind === 'update') expect(up.has(o.conn)).toBe(true);
          }
          const established = peer.connectionList.filter((c) => c.state === 'Established');
          expect(established.length).toBeLessThanOrEqual(1);
          expect([...up]).toEqual(established.map((c) => c.conn));
          if (asAzure) expect(peer.receivedPrefixCount).toBeLessThanOrEqual(2);
          // Every live connection's timers are armed in the runtime, and no dead connection's are.
          const live = new Set(peer.connectionList.map((c) => String(c.conn)));
          for (const timer of armed) {
            if (timer !== 'idleHold') expect(live.has(timer.split(':')[0] as string)).toBe(true);
          }
        }
        if (sawSession) runsWithSession++;
      }),
      { numRuns: 500 },
    );
    // The inputs must have produced real sessions, not only refusals.
    expect(runsWithSession).toBeGreaterThan(25);
  });
});
