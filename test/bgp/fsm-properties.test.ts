import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FsmInput, FsmState, FsmTimer } from '../../src/protocols/bgp/fsm.ts';
import { BgpFsm } from '../../src/protocols/bgp/fsm.ts';
import { AZURE, DEVICE, KEEPALIVE, notificationOf, openFrom, update } from './bgp-fixtures.ts';

const inputs: fc.Arbitrary<FsmInput> = fc.oneof(
  fc.record({ kind: fc.constant('start' as const), passive: fc.boolean(), automatic: fc.boolean() }),
  fc.record({
    kind: fc.constant('stop' as const),
    automatic: fc.boolean(),
    subcode: fc.integer({ min: 0, max: 8 }),
  }),
  fc.record({
    kind: fc.constant('tcpConnected' as const),
    direction: fc.constantFrom('outbound' as const, 'inbound' as const),
  }),
  fc.constant({ kind: 'tcpConnectFailed' as const }),
  fc.constant({ kind: 'tcpClosed' as const }),
  fc.constant({ kind: 'collisionDump' as const }),
  fc.constant({ kind: 'sendUpdate' as const, update: update(['10.0.0.0/16'], '10.0.0.12', [65515]) }),
  fc.record({
    kind: fc.constant('timer' as const),
    timer: fc.constantFrom<FsmTimer>('connectRetry', 'hold', 'keepalive'),
  }),
  fc.record({
    kind: fc.constant('decodeError' as const),
    notification: fc.constantFrom(
      notificationOf(1, 1),
      notificationOf(2, 4),
      notificationOf(3, 3),
      notificationOf(7, 1),
    ),
  }),
  fc.record({
    kind: fc.constant('message' as const),
    msg: fc.constantFrom(
      openFrom(DEVICE),
      openFrom(DEVICE, { holdTimeSec: 0 }),
      openFrom(DEVICE, { holdTimeSec: 2 }),
      openFrom({ ...DEVICE, localAsn: 65011 }),
      KEEPALIVE,
      KEEPALIVE,
      update(['192.168.1.0/24'], '192.168.1.1', [65010]),
      notificationOf(6, 2),
      notificationOf(2, 1),
      { type: 'routeRefresh' as const, afi: 1, safi: 1 },
    ),
  }),
);

/** The handshake, whole or cut short, so that random runs also reach OpenConfirm and Established. */
const handshake: fc.Arbitrary<FsmInput[]> = fc
  .integer({ min: 1, max: 4 })
  .map((length) =>
    (
      [
        { kind: 'start' },
        { kind: 'tcpConnected', direction: 'outbound' },
        { kind: 'message', msg: openFrom(DEVICE) },
        { kind: 'message', msg: KEEPALIVE },
      ] satisfies FsmInput[]
    ).slice(0, length),
  );

const sequences: fc.Arbitrary<FsmInput[]> = fc
  .array(
    fc.oneof(
      inputs.map((input) => [input]),
      handshake,
    ),
    { maxLength: 30 },
  )
  .map((chunks) => chunks.flat());

describe('BGP FSM under arbitrary input sequences', () => {
  it('never throws, keeps a consistent state and timer story, and reaches Established only after OPEN then KEEPALIVE', () => {
    let runsReachingEstablished = 0;
    fc.assert(
      fc.property(sequences, (sequence) => {
        let reached = false;
        const fsm = new BgpFsm(AZURE);
        const armed = new Set<FsmTimer>();
        let state: FsmState = 'Idle';
        let acceptedOpen = false;
        for (const input of sequence) {
          // A timer input is that timer expiring: it is no longer armed.
          if (input.kind === 'timer') armed.delete(input.timer);
          const out = fsm.handle(0, input);
          let sawNotification = false;
          for (const o of out) {
            switch (o.kind) {
              case 'armTimer':
                armed.add(o.timer);
                break;
              case 'cancelTimer':
                expect(armed.has(o.timer)).toBe(true);
                armed.delete(o.timer);
                break;
              case 'state':
                expect(o.from).toBe(state);
                if (o.to === 'OpenConfirm') {
                  // Only a valid OPEN leads to OpenConfirm (Event 19).
                  expect(input.kind === 'message' && input.msg.type === 'open').toBe(true);
                  acceptedOpen = true;
                }
                if (o.to === 'Established') {
                  expect(o.from).toBe('OpenConfirm');
                  expect(acceptedOpen).toBe(true);
                  expect(input).toEqual({ kind: 'message', msg: KEEPALIVE });
                  expect(out.some((x) => x.kind === 'established')).toBe(true);
                  reached = true;
                }
                if (o.to === 'Idle') acceptedOpen = false;
                if (o.from === 'Established') expect(out.some((x) => x.kind === 'down')).toBe(true);
                state = o.to;
                break;
              case 'send':
                if (o.msg.type === 'notification') sawNotification = true;
                break;
              case 'close':
                break;
              case 'down':
                expect(out.some((x) => x.kind === 'state' && x.from === 'Established')).toBe(true);
                break;
              default:
                break;
            }
          }
          // A NOTIFICATION is always followed by closing the connection (RFC 4271 §4.5).
          if (sawNotification) expect(out.some((o) => o.kind === 'close')).toBe(true);
          expect(fsm.state).toBe(state);
          expect([...fsm.armedTimers].sort()).toEqual([...armed].sort());
          if (state === 'Idle') expect(armed.size).toBe(0);
          if (state === 'Established' || state === 'OpenConfirm') expect(fsm.negotiated).toBeDefined();
        }
        if (reached) runsReachingEstablished++;
      }),
      { numRuns: 500 },
    );
    // The property must have exercised sessions, not only failed handshakes.
    expect(runsReachingEstablished).toBeGreaterThan(10);
  });
});
