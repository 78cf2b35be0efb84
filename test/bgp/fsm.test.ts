import { describe, expect, it } from 'vitest';
import type { FsmConfig, FsmInput, FsmOutput } from '../../src/protocols/bgp/fsm.ts';
import { BgpFsm, buildOpen, evaluateOpen } from '../../src/protocols/bgp/fsm.ts';
import { AS_TRANS } from '../../src/protocols/bgp/messages.ts';
import {
  AZURE,
  DEVICE,
  KEEPALIVE,
  notificationOf,
  notificationsSent,
  openFrom,
  sent,
  timerActions,
  transitions,
  update,
} from './bgp-fixtures.ts';

/** Azure's FSM talking to the device; `step` feeds one input at a fixed clock. */
function azureFsm(config: Partial<FsmConfig> = {}): { fsm: BgpFsm; step: (input: FsmInput) => FsmOutput[] } {
  const fsm = new BgpFsm({ ...AZURE, ...config });
  return { fsm, step: (input) => fsm.handle(0, input) };
}

function inOpenSent(config: Partial<FsmConfig> = {}) {
  const harness = azureFsm(config);
  harness.step({ kind: 'start' });
  harness.step({ kind: 'tcpConnected', direction: 'outbound' });
  return harness;
}

function inOpenConfirm(config: Partial<FsmConfig> = {}, peer: FsmConfig = DEVICE) {
  const harness = inOpenSent(config);
  harness.step({ kind: 'message', msg: openFrom(peer) });
  return harness;
}

function inEstablished(config: Partial<FsmConfig> = {}, peer: FsmConfig = DEVICE) {
  const harness = inOpenConfirm(config, peer);
  harness.step({ kind: 'message', msg: KEEPALIVE });
  return harness;
}

describe('BGP FSM, Idle (RFC 4271 §8.2.2)', () => {
  it('Event 1 ManualStart: arms ConnectRetryTimer (120 s), opens TCP, goes Connect', () => {
    const { fsm, step } = azureFsm();
    const out = step({ kind: 'start' });
    expect(transitions(out)).toEqual(['Idle→Connect (Event 1 ManualStart)']);
    expect(out.some((o) => o.kind === 'connect')).toBe(true);
    expect(timerActions(out)).toEqual(['arm connectRetry 120000']);
    expect(fsm.state).toBe('Connect');
  });

  it('Event 3 AutomaticStart also goes Connect; Events 4 and 5 (passive) go Active without dialling', () => {
    expect(transitions(azureFsm().step({ kind: 'start', automatic: true }))).toEqual([
      'Idle→Connect (Event 3 AutomaticStart)',
    ]);
    const manualPassive = azureFsm().step({ kind: 'start', passive: true });
    expect(transitions(manualPassive)).toEqual([
      'Idle→Active (Event 4 ManualStart_with_PassiveTcpEstablishment)',
    ]);
    expect(manualPassive.some((o) => o.kind === 'connect')).toBe(false);
    expect(transitions(azureFsm().step({ kind: 'start', passive: true, automatic: true }))).toEqual([
      'Idle→Active (Event 5 AutomaticStart_with_PassiveTcpEstablishment)',
    ]);
  });

  it('ignores stops, messages and timers, and refuses a TCP connection', () => {
    const { fsm, step } = azureFsm();
    expect(step({ kind: 'stop' })).toEqual([]);
    expect(step({ kind: 'message', msg: KEEPALIVE })).toEqual([]);
    expect(step({ kind: 'timer', timer: 'hold' })).toEqual([]);
    expect(step({ kind: 'tcpConnected', direction: 'inbound' })).toEqual([{ kind: 'close' }]);
    expect(fsm.state).toBe('Idle');
  });

  it('start events outside Idle are ignored', () => {
    const { fsm, step } = inOpenSent();
    expect(step({ kind: 'start' })).toEqual([]);
    expect(fsm.state).toBe('OpenSent');
  });
});

describe('BGP FSM, Connect', () => {
  it('Event 16 Tcp_CR_Acked: sends our OPEN, stops ConnectRetryTimer, arms the 4-minute hold timer, OpenSent', () => {
    const { fsm, step } = azureFsm();
    step({ kind: 'start' });
    const out = step({ kind: 'tcpConnected', direction: 'outbound' });
    expect(transitions(out)).toEqual(['Connect→OpenSent (Event 16 Tcp_CR_Acked)']);
    expect(timerActions(out)).toEqual(['cancel connectRetry', 'arm hold 240000']);
    const [open] = sent(out);
    expect(open).toEqual({
      type: 'open',
      version: 4,
      myAsn: 65515,
      holdTimeSec: 180,
      bgpIdentifier: '10.0.0.12',
      capabilities: [
        { code: 'multiprotocol', afi: 1, safi: 1 },
        { code: 'fourOctetAs', asn: 65515 },
      ],
    });
    expect(fsm.state).toBe('OpenSent');
  });

  it('Event 9 ConnectRetryTimer_Expires: drops the attempt, dials again, re-arms the timer, stays Connect', () => {
    const { fsm, step } = azureFsm();
    step({ kind: 'start' });
    const out = step({ kind: 'timer', timer: 'connectRetry' });
    expect(out.map((o) => o.kind)).toEqual(['close', 'armTimer', 'connect']);
    expect(fsm.state).toBe('Connect');
    expect(fsm.armedTimers.has('connectRetry')).toBe(true);
  });

  it('Event 18 TcpConnectionFails: back to Idle with no timer left', () => {
    const { fsm, step } = azureFsm();
    step({ kind: 'start' });
    const out = step({ kind: 'tcpConnectFailed' });
    expect(transitions(out)).toEqual(['Connect→Idle (Event 18 TcpConnectionFails)']);
    expect(timerActions(out)).toEqual(['cancel connectRetry']);
    expect(fsm.armedTimers.size).toBe(0);
  });

  it('Event 2 ManualStop: Idle, ConnectRetryCounter zeroed, nothing sent', () => {
    const { fsm, step } = azureFsm();
    step({ kind: 'start' });
    const out = step({ kind: 'stop' });
    expect(transitions(out)).toEqual(['Connect→Idle (Event 2 ManualStop)']);
    expect(sent(out)).toEqual([]);
    expect(fsm.connectRetryCounter).toBe(0);
  });

  it('a message without a session (Event 19 in Connect) ends in Idle and counts a failure', () => {
    const { fsm, step } = azureFsm();
    step({ kind: 'start' });
    const out = step({ kind: 'message', msg: openFrom(DEVICE) });
    expect(transitions(out)).toEqual(['Connect→Idle (Event 19 BGPOpen)']);
    expect(fsm.connectRetryCounter).toBe(1);
  });
});

describe('BGP FSM, Active', () => {
  it('Event 17 TcpConnectionConfirmed: sends OPEN, OpenSent', () => {
    const { fsm, step } = azureFsm();
    step({ kind: 'start', passive: true });
    const out = step({ kind: 'tcpConnected', direction: 'inbound' });
    expect(transitions(out)).toEqual(['Active→OpenSent (Event 17 TcpConnectionConfirmed)']);
    expect(sent(out).map((m) => m.type)).toEqual(['open']);
    expect(fsm.state).toBe('OpenSent');
  });

  it('Event 9 ConnectRetryTimer_Expires: dials out and goes Connect', () => {
    const { fsm, step } = azureFsm();
    step({ kind: 'start', passive: true });
    const out = step({ kind: 'timer', timer: 'connectRetry' });
    expect(transitions(out)).toEqual(['Active→Connect (Event 9 ConnectRetryTimer_Expires)']);
    expect(out.some((o) => o.kind === 'connect')).toBe(true);
    expect(fsm.state).toBe('Connect');
  });

  it('a speaker that must never initiate (Azure towards an APIPA device) keeps listening on Event 9', () => {
    const { fsm, step } = azureFsm({ allowInitiate: false });
    step({ kind: 'start', passive: true });
    const out = step({ kind: 'timer', timer: 'connectRetry' });
    expect(out).toEqual([{ kind: 'armTimer', timer: 'connectRetry', delayMs: 120_000 }]);
    expect(fsm.state).toBe('Active');
  });

  it('Event 18 and Event 2 go Idle', () => {
    const failed = azureFsm();
    failed.step({ kind: 'start', passive: true });
    expect(transitions(failed.step({ kind: 'tcpClosed' }))).toEqual([
      'Active→Idle (Event 18 TcpConnectionFails)',
    ]);
    expect(failed.fsm.armedTimers.size).toBe(0);
    const stopped = azureFsm();
    stopped.step({ kind: 'start', passive: true });
    expect(transitions(stopped.step({ kind: 'stop' }))).toEqual(['Active→Idle (Event 2 ManualStop)']);
  });
});

describe('BGP FSM, OpenSent', () => {
  it('Event 19 BGPOpen: KEEPALIVE sent, KeepaliveTimer 60 s and HoldTimer 180 s, OpenConfirm', () => {
    const { fsm, step } = inOpenSent();
    const out = step({ kind: 'message', msg: openFrom(DEVICE) });
    expect(transitions(out)).toEqual(['OpenSent→OpenConfirm (Event 19 BGPOpen)']);
    expect(sent(out)).toEqual([KEEPALIVE]);
    expect(timerActions(out)).toEqual(['arm keepalive 60000', 'arm hold 180000']);
    expect(fsm.negotiated).toEqual({
      holdTimeSec: 180,
      keepaliveSec: 60,
      fourOctetAs: true,
      routeRefresh: false,
      peerBgpId: '192.168.1.1',
      peerAsn: 65010,
    });
  });

  it('Event 10 HoldTimer_Expires (no OPEN within 4 minutes): NOTIFICATION 4/0, Idle', () => {
    const { fsm, step } = inOpenSent();
    const out = step({ kind: 'timer', timer: 'hold' });
    expect(notificationsSent(out)).toEqual(['4/0']);
    expect(out.some((o) => o.kind === 'close')).toBe(true);
    expect(transitions(out)).toEqual(['OpenSent→Idle (Event 10 HoldTimer_Expires)']);
    expect(fsm.armedTimers.size).toBe(0);
  });

  it('Event 18 TcpConnectionFails: closes, restarts ConnectRetryTimer and goes Active', () => {
    const { fsm, step } = inOpenSent();
    const out = step({ kind: 'tcpClosed' });
    expect(transitions(out)).toEqual(['OpenSent→Active (Event 18 TcpConnectionFails)']);
    expect(timerActions(out)).toEqual(['cancel hold', 'arm connectRetry 120000']);
    expect(fsm.state).toBe('Active');
  });

  it('Event 2 ManualStop sends Cease/2 Administrative Shutdown (RFC 4486)', () => {
    const { step } = inOpenSent();
    const out = step({ kind: 'stop' });
    expect(notificationsSent(out)).toEqual(['6/2']);
    expect(transitions(out)).toEqual(['OpenSent→Idle (Event 2 ManualStop)']);
  });

  it('Event 8 AutomaticStop sends Cease with the given subcode and counts a failure', () => {
    const { fsm, step } = inOpenSent();
    const out = step({ kind: 'stop', automatic: true, subcode: 6 });
    expect(notificationsSent(out)).toEqual(['6/6']);
    expect(transitions(out)).toEqual(['OpenSent→Idle (Event 8 AutomaticStop)']);
    expect(fsm.connectRetryCounter).toBe(1);
  });

  it('Event 22 BGPOpenMsgErr: a wrong version gets 2/1 with our version 4 as data', () => {
    const { step } = inOpenSent();
    const out = step({ kind: 'message', msg: openFrom(DEVICE, { version: 3 }) });
    const [notification] = sent(out);
    expect(notification).toEqual(notificationOf(2, 1, Uint8Array.of(0, 4)));
    expect(transitions(out)[0]).toMatch(/^OpenSent→Idle \(Event 22 BGPOpenMsgErr/);
  });

  it('Event 22: an OPEN from an AS other than configured gets 2/2 Bad Peer AS', () => {
    const { fsm, step } = inOpenSent();
    const out = step({ kind: 'message', msg: openFrom({ ...DEVICE, localAsn: 65011 }) });
    expect(notificationsSent(out)).toEqual(['2/2']);
    expect(fsm.state).toBe('Idle');
  });

  it('Event 22: a proposed hold time of 1 or 2 s gets 2/6 Unacceptable Hold Time (RFC 4271 §4.2)', () => {
    for (const holdTimeSec of [1, 2]) {
      const { step } = inOpenSent();
      expect(notificationsSent(step({ kind: 'message', msg: openFrom(DEVICE, { holdTimeSec }) }))).toEqual([
        '2/6',
      ]);
    }
  });

  it('Event 22: BGP Identifier 0.0.0.0, or an internal peer with our identifier, gets 2/3 (RFC 6286 §2.2)', () => {
    const zero = inOpenSent();
    expect(
      notificationsSent(zero.step({ kind: 'message', msg: openFrom(DEVICE, { bgpIdentifier: '0.0.0.0' }) })),
    ).toEqual(['2/3']);
    const internal = inOpenSent({ peerAsn: 65515 });
    const sameId = openFrom({ ...AZURE, peerAsn: 65515 });
    expect(notificationsSent(internal.step({ kind: 'message', msg: sameId }))).toEqual(['2/3']);
    // An external peer may share our identifier (RFC 6286 §2.2 restricts only internal peers).
    const external = inOpenSent();
    const shared = openFrom(DEVICE, { bgpIdentifier: '10.0.0.12' });
    expect(transitions(external.step({ kind: 'message', msg: shared }))).toEqual([
      'OpenSent→OpenConfirm (Event 19 BGPOpen)',
    ]);
  });

  it('Event 21 BGPHeaderErr: sends the codec NOTIFICATION as it is', () => {
    const { step } = inOpenSent();
    const out = step({ kind: 'decodeError', notification: notificationOf(1, 2, Uint8Array.of(0, 10)) });
    expect(sent(out)).toEqual([notificationOf(1, 2, Uint8Array.of(0, 10))]);
    expect(transitions(out)).toEqual(['OpenSent→Idle (Event 21 BGPHeaderErr)']);
  });

  it('Event 23 OpenCollisionDump: Cease/7 Connection Collision Resolution', () => {
    const { step } = inOpenSent();
    const out = step({ kind: 'collisionDump' });
    expect(notificationsSent(out)).toEqual(['6/7']);
    expect(transitions(out)).toEqual(['OpenSent→Idle (Event 23 OpenCollisionDump)']);
  });

  it('Event 24 NotifMsgVerErr and Event 25 NotifMsg: Idle, nothing sent back, only Event 25 counts', () => {
    const versionError = inOpenSent();
    const out24 = versionError.step({ kind: 'message', msg: notificationOf(2, 1, Uint8Array.of(0, 4)) });
    expect(sent(out24)).toEqual([]);
    expect(transitions(out24)).toEqual(['OpenSent→Idle (Event 24 NotifMsgVerErr)']);
    expect(versionError.fsm.connectRetryCounter).toBe(0);
    const cease = inOpenSent();
    const out25 = cease.step({ kind: 'message', msg: notificationOf(6, 2) });
    expect(sent(out25)).toEqual([]);
    expect(transitions(out25)).toEqual(['OpenSent→Idle (Event 25 NotifMsg)']);
    expect(cease.fsm.connectRetryCounter).toBe(1);
  });

  it('Event 26 KEEPALIVE or Event 27 UPDATE before the OPEN: FSM Error 5/1 (RFC 6608)', () => {
    expect(notificationsSent(inOpenSent().step({ kind: 'message', msg: KEEPALIVE }))).toEqual(['5/1']);
    const early = update(['192.168.1.0/24'], '192.168.1.1', [65010]);
    expect(notificationsSent(inOpenSent().step({ kind: 'message', msg: early }))).toEqual(['5/1']);
    // An UPDATE the codec refused is still an UPDATE in the wrong state.
    expect(
      notificationsSent(inOpenSent().step({ kind: 'decodeError', notification: notificationOf(3, 1) })),
    ).toEqual(['5/1']);
  });
});

describe('BGP FSM, OpenConfirm', () => {
  it('Event 26 KeepAliveMsg: restarts HoldTimer, Established, reports what was negotiated', () => {
    const { fsm, step } = inOpenConfirm();
    const out = step({ kind: 'message', msg: KEEPALIVE });
    expect(transitions(out)).toEqual(['OpenConfirm→Established (Event 26 KeepAliveMsg)']);
    expect(timerActions(out)).toEqual(['arm hold 180000']);
    expect(out.find((o) => o.kind === 'established')).toEqual({
      kind: 'established',
      negotiated: fsm.negotiated,
    });
  });

  it('Event 11 KeepaliveTimer_Expires: sends KEEPALIVE and re-arms the timer', () => {
    const { fsm, step } = inOpenConfirm();
    const out = step({ kind: 'timer', timer: 'keepalive' });
    expect(sent(out)).toEqual([KEEPALIVE]);
    expect(timerActions(out)).toEqual(['arm keepalive 60000']);
    expect(fsm.state).toBe('OpenConfirm');
  });

  it('Event 10 HoldTimer_Expires: 4/0, Idle', () => {
    const { step } = inOpenConfirm();
    const out = step({ kind: 'timer', timer: 'hold' });
    expect(notificationsSent(out)).toEqual(['4/0']);
    expect(transitions(out)).toEqual(['OpenConfirm→Idle (Event 10 HoldTimer_Expires)']);
  });

  it('Event 18 and Event 25 go Idle without a NOTIFICATION', () => {
    const closed = inOpenConfirm();
    const out18 = closed.step({ kind: 'tcpClosed' });
    expect(sent(out18)).toEqual([]);
    expect(transitions(out18)).toEqual(['OpenConfirm→Idle (Event 18 TcpConnectionFails)']);
    const notified = inOpenConfirm();
    expect(transitions(notified.step({ kind: 'message', msg: notificationOf(6, 2) }))).toEqual([
      'OpenConfirm→Idle (Event 25 NotifMsg)',
    ]);
  });

  it('Event 27 UPDATE, a second OPEN, or a refused OPEN: FSM Error 5/2', () => {
    const early = update(['192.168.1.0/24'], '192.168.1.1', [65010]);
    expect(notificationsSent(inOpenConfirm().step({ kind: 'message', msg: early }))).toEqual(['5/2']);
    expect(notificationsSent(inOpenConfirm().step({ kind: 'message', msg: openFrom(DEVICE) }))).toEqual([
      '5/2',
    ]);
    expect(
      notificationsSent(inOpenConfirm().step({ kind: 'decodeError', notification: notificationOf(2, 4) })),
    ).toEqual(['5/2']);
  });

  it('Event 2 sends Cease/2 and Event 23 sends Cease/7', () => {
    expect(notificationsSent(inOpenConfirm().step({ kind: 'stop' }))).toEqual(['6/2']);
    expect(notificationsSent(inOpenConfirm().step({ kind: 'collisionDump' }))).toEqual(['6/7']);
  });
});

describe('BGP FSM, Established', () => {
  it('Event 27 UpdateMsg: reports the routes and restarts HoldTimer', () => {
    const { step } = inEstablished();
    const routes = update(['192.168.1.0/24'], '192.168.1.1', [65010]);
    const out = step({ kind: 'message', msg: routes });
    expect(out).toEqual([
      { kind: 'armTimer', timer: 'hold', delayMs: 180_000 },
      { kind: 'update', update: routes },
    ]);
  });

  it('Event 26 KeepAliveMsg restarts HoldTimer; Event 11 sends a KEEPALIVE', () => {
    const { step } = inEstablished();
    expect(step({ kind: 'message', msg: KEEPALIVE })).toEqual([
      { kind: 'armTimer', timer: 'hold', delayMs: 180_000 },
    ]);
    const out = step({ kind: 'timer', timer: 'keepalive' });
    expect(sent(out)).toEqual([KEEPALIVE]);
    expect(timerActions(out)).toEqual(['arm keepalive 60000']);
  });

  it('sending an UPDATE restarts KeepaliveTimer (§8.2.2); before Established it is not sent', () => {
    const routes = update(['10.0.0.0/16'], '10.0.0.12', [65515]);
    expect(inOpenConfirm().step({ kind: 'sendUpdate', update: routes })).toEqual([]);
    const { step } = inEstablished();
    expect(step({ kind: 'sendUpdate', update: routes })).toEqual([
      { kind: 'send', msg: routes },
      { kind: 'armTimer', timer: 'keepalive', delayMs: 60_000 },
    ]);
  });

  it('Event 10 HoldTimer_Expires: NOTIFICATION 4/0, close, session down, Idle, no timer left', () => {
    const { fsm, step } = inEstablished();
    const out = step({ kind: 'timer', timer: 'hold' });
    expect(out.map((o) => o.kind)).toEqual(['send', 'cancelTimer', 'close', 'down', 'state']);
    expect(notificationsSent(out)).toEqual(['4/0']);
    expect(out.find((o) => o.kind === 'down')).toEqual({
      kind: 'down',
      reason: { kind: 'notificationSent', notification: notificationOf(4, 0) },
    });
    expect(transitions(out)).toEqual(['Established→Idle (Event 10 HoldTimer_Expires)']);
    expect(fsm.armedTimers.size).toBe(0);
    expect(fsm.negotiated).toBeUndefined();
  });

  it('Event 18 TcpConnectionFails: session down (transport closed), Idle', () => {
    const { step } = inEstablished();
    const out = step({ kind: 'tcpClosed' });
    expect(out.find((o) => o.kind === 'down')).toEqual({ kind: 'down', reason: { kind: 'transportClosed' } });
    expect(transitions(out)).toEqual(['Established→Idle (Event 18 TcpConnectionFails)']);
  });

  it('Event 25 NotifMsg: session down with the received NOTIFICATION, nothing sent', () => {
    const { step } = inEstablished();
    const cease = notificationOf(6, 2);
    const out = step({ kind: 'message', msg: cease });
    expect(sent(out)).toEqual([]);
    expect(out.find((o) => o.kind === 'down')).toEqual({
      kind: 'down',
      reason: { kind: 'notificationReceived', notification: cease },
    });
  });

  it('Event 28 UpdateMsgErr: sends the codec UPDATE error and drops the session', () => {
    const { step } = inEstablished();
    const out = step({ kind: 'decodeError', notification: notificationOf(3, 11) });
    expect(notificationsSent(out)).toEqual(['3/11']);
    expect(transitions(out)).toEqual(['Established→Idle (Event 28 UpdateMsgErr)']);
  });

  it('Event 2 ManualStop sends Cease/2, Event 8 AutomaticStop the given Cease subcode; both drop the session', () => {
    const manual = inEstablished().step({ kind: 'stop' });
    expect(notificationsSent(manual)).toEqual(['6/2']);
    expect(manual.some((o) => o.kind === 'down')).toBe(true);
    const automatic = inEstablished().step({ kind: 'stop', automatic: true, subcode: 1 });
    expect(notificationsSent(automatic)).toEqual(['6/1']);
    expect(transitions(automatic)).toEqual(['Established→Idle (Event 8 AutomaticStop)']);
  });

  it('an OPEN on the established connection is FSM Error 5/3 (RFC 6608)', () => {
    expect(notificationsSent(inEstablished().step({ kind: 'message', msg: openFrom(DEVICE) }))).toEqual([
      '5/3',
    ]);
  });

  it('Event 23 OpenCollisionDump: Cease/7, session down', () => {
    const out = inEstablished().step({ kind: 'collisionDump' });
    expect(notificationsSent(out)).toEqual(['6/7']);
    expect(out.some((o) => o.kind === 'down')).toBe(true);
  });

  it('ROUTE-REFRESH is reported only when we advertised the capability (RFC 2918 §4)', () => {
    const refresh = { type: 'routeRefresh', afi: 1, safi: 1 } as const;
    expect(
      inEstablished()
        .step({ kind: 'message', msg: refresh })
        .map((o) => o.kind),
    ).toEqual(['armTimer']);
    const withCapability = inEstablished({ routeRefresh: true }, { ...DEVICE, routeRefresh: true });
    expect(withCapability.fsm.negotiated?.routeRefresh).toBe(true);
    expect(withCapability.step({ kind: 'message', msg: refresh })).toContainEqual({
      kind: 'routeRefresh',
      afi: 1,
      safi: 1,
    });
  });

  it('a timer the FSM did not arm (a runtime race) is ignored', () => {
    const { fsm, step } = inEstablished();
    expect(step({ kind: 'timer', timer: 'connectRetry' })).toEqual([]);
    expect(fsm.state).toBe('Established');
  });
});

describe('hold time negotiation (RFC 4271 §4.2, §4.4)', () => {
  it('uses the smaller hold time and keepalive = hold / 3', () => {
    const { fsm } = inOpenConfirm({}, { ...DEVICE, holdTimeSec: 90 });
    expect(fsm.negotiated).toMatchObject({ holdTimeSec: 90, keepaliveSec: 30 });
    const three = inOpenConfirm({}, { ...DEVICE, holdTimeSec: 3 });
    expect(three.fsm.negotiated).toMatchObject({ holdTimeSec: 3, keepaliveSec: 1 });
  });

  it('a hold time of 0 from either side means no HoldTimer and no keepalives, ever', () => {
    for (const [local, remote] of [
      [180, 0],
      [0, 180],
    ] as const) {
      const { fsm, step } = inOpenSent({ holdTimeSec: local });
      const confirm = step({ kind: 'message', msg: openFrom({ ...DEVICE, holdTimeSec: remote }) });
      expect(fsm.negotiated).toMatchObject({ holdTimeSec: 0, keepaliveSec: 0 });
      expect(timerActions(confirm)).toEqual(['cancel hold']);
      const established = step({ kind: 'message', msg: KEEPALIVE });
      expect(timerActions(established)).toEqual([]);
      expect(fsm.state).toBe('Established');
      expect(fsm.armedTimers.size).toBe(0);
      // Sending an UPDATE does not arm a keepalive either.
      expect(
        timerActions(step({ kind: 'sendUpdate', update: update(['10.0.0.0/16'], '10.0.0.12', []) })),
      ).toEqual([]);
    }
  });

  it('Azure keeps 60 s keepalives even when a device negotiates hold 30 s, so the device times it out', () => {
    const { fsm } = inOpenConfirm({ fixedKeepaliveSec: 60 }, { ...DEVICE, holdTimeSec: 30 });
    expect(fsm.negotiated).toMatchObject({ holdTimeSec: 30, keepaliveSec: 60 });
  });

  it('refuses to be configured with hold 1 or 2', () => {
    expect(() => new BgpFsm({ ...AZURE, holdTimeSec: 2 })).toThrow(RangeError);
    expect(() => new BgpFsm({ ...AZURE, holdTimeSec: 1 })).toThrow(RangeError);
  });
});

describe('4-octet AS numbers (RFC 6793)', () => {
  const bigDevice: FsmConfig = { localAsn: 4_200_000_001, localBgpId: '192.168.1.1', peerAsn: 65515 };

  it('a 4-octet ASN travels as AS_TRANS in My AS and for real in capability 65', () => {
    const open = buildOpen(bigDevice);
    expect(open.myAsn).toBe(AS_TRANS);
    expect(open.capabilities).toContainEqual({ code: 'fourOctetAs', asn: 4_200_000_001 });
  });

  it('the neighbour ASN comes from capability 65; AS_TRANS without it is a Bad Peer AS', () => {
    const azure: FsmConfig = { ...AZURE, peerAsn: 4_200_000_001 };
    const accepted = evaluateOpen(azure, buildOpen(bigDevice));
    expect(accepted).toMatchObject({ ok: true, negotiated: { peerAsn: 4_200_000_001, fourOctetAs: true } });
    const withoutCapability = { ...buildOpen(bigDevice), capabilities: [] };
    expect(evaluateOpen(azure, withoutCapability)).toMatchObject({
      ok: false,
      notification: { code: 2, subcode: 2 },
    });
  });

  it('a speaker without 4-octet support ignores the capability and reads My AS', () => {
    const oldSpeaker: FsmConfig = { ...AZURE, fourOctetAs: false };
    const result = evaluateOpen(oldSpeaker, buildOpen(DEVICE));
    expect(result).toMatchObject({ ok: true, negotiated: { peerAsn: 65010, fourOctetAs: false } });
    expect(buildOpen(oldSpeaker).capabilities).toEqual([{ code: 'multiprotocol', afi: 1, safi: 1 }]);
  });
});
