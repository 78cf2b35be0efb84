import { describe, expect, it } from 'vitest';
import type { FsmConfig } from '../../src/protocols/bgp/fsm.ts';
import type { ConnId, PeerConfig, PeerInput, PeerOutput } from '../../src/protocols/bgp/peer.ts';
import { BgpPeer, maxPrefixData } from '../../src/protocols/bgp/peer.ts';
import { AZURE, DEVICE, KEEPALIVE, notificationOf, openFrom, update } from './bgp-fixtures.ts';

function harness(config: PeerConfig) {
  const peer = new BgpPeer(config);
  let nowMs = 0;
  const step = (input: PeerInput): PeerOutput[] => peer.handle(nowMs, input);
  return {
    peer,
    step,
    at(ms: number) {
      nowMs = ms;
    },
  };
}

function sentOn(outputs: readonly PeerOutput[], conn: ConnId): string[] {
  return outputs.flatMap((o) => {
    if (o.kind !== 'send' || o.conn !== conn) return [];
    return [o.msg.type === 'notification' ? `notification ${o.msg.code}/${o.msg.subcode}` : o.msg.type];
  });
}

function closed(outputs: readonly PeerOutput[]): ConnId[] {
  return outputs.flatMap((o) => (o.kind === 'close' ? [o.conn] : []));
}

function connectOf(outputs: readonly PeerOutput[]): ConnId {
  const connect = outputs.find((o) => o.kind === 'connect');
  if (connect?.kind !== 'connect') throw new Error('no connect output');
  return connect.conn;
}

function acceptedOf(outputs: readonly PeerOutput[]): ConnId {
  const accepted = outputs.find((o) => o.kind === 'accepted');
  if (accepted?.kind !== 'accepted') throw new Error('no accepted output');
  return accepted.conn;
}

/** A peer with one outbound connection in OpenSent and one inbound in OpenSent, as in a simultaneous open. */
function bothConnectionsInOpenSent(local: FsmConfig) {
  const h = harness(local);
  const outbound = connectOf(h.step({ kind: 'start' }));
  h.step({ kind: 'tcpConnected', conn: outbound });
  const inbound = acceptedOf(h.step({ kind: 'tcpAccepted' }));
  expect(h.peer.connectionList.map((c) => c.state)).toEqual(['OpenSent', 'OpenSent']);
  return { ...h, outbound, inbound };
}

function establishedOutbound(config: PeerConfig, remote: FsmConfig) {
  const h = harness(config);
  const conn = connectOf(h.step({ kind: 'start' }));
  h.step({ kind: 'tcpConnected', conn });
  h.step({ kind: 'message', conn, msg: openFrom(remote) });
  h.step({ kind: 'message', conn, msg: KEEPALIVE });
  expect(h.peer.session?.conn).toBe(conn);
  return { ...h, conn };
}

describe('BGP peer: who opens the TCP connection', () => {
  it('an initiating peer dials on start; a passive-only one waits', () => {
    const active = harness({ ...DEVICE, initiate: true, accept: false });
    expect(active.step({ kind: 'start' })).toContainEqual({ kind: 'connect', conn: 1 });
    // Azure towards an APIPA-addressed device never initiates (AZURE-FACTS.md, "Who opens BGP").
    const passive = harness({ ...AZURE, initiate: false, accept: true });
    expect(passive.step({ kind: 'start' })).toEqual([]);
    const out = passive.step({ kind: 'tcpAccepted' });
    const conn = acceptedOf(out);
    expect(sentOn(out, conn)).toEqual(['open']);
    expect(passive.peer.connectionList).toEqual([{ conn, direction: 'inbound', state: 'OpenSent' }]);
  });

  it('refuses connections before start, and when configured not to accept', () => {
    expect(harness(AZURE).step({ kind: 'tcpAccepted' })[0]?.kind).toBe('rejected');
    const noAccept = harness({ ...DEVICE, accept: false });
    noAccept.step({ kind: 'start' });
    expect(noAccept.step({ kind: 'tcpAccepted' })[0]?.kind).toBe('rejected');
  });

  it('namespaces each connection’s timers by its id', () => {
    const h = harness(DEVICE);
    expect(h.step({ kind: 'start' })).toContainEqual({
      kind: 'armTimer',
      timer: '1:connectRetry',
      delayMs: 120_000,
    });
  });
});

describe('BGP peer: connection collision (RFC 4271 §6.8)', () => {
  // The device's identifier 192.168.1.1 is higher than Azure's 10.0.0.12.
  it('our identifier higher: the connection we initiated survives, the other gets Cease/7 (OPENs inbound first)', () => {
    const h = bothConnectionsInOpenSent(DEVICE);
    const first = h.step({ kind: 'message', conn: h.inbound, msg: openFrom(AZURE) });
    expect(sentOn(first, h.inbound)).toEqual(['keepalive']);
    const second = h.step({ kind: 'message', conn: h.outbound, msg: openFrom(AZURE) });
    expect(sentOn(second, h.inbound)).toEqual(['notification 6/7']);
    expect(closed(second)).toEqual([h.inbound]);
    expect(sentOn(second, h.outbound)).toEqual(['keepalive']);
    h.step({ kind: 'message', conn: h.outbound, msg: KEEPALIVE });
    expect(h.peer.connectionList).toEqual([
      { conn: h.outbound, direction: 'outbound', state: 'Established' },
    ]);
  });

  it('our identifier higher, OPENs outbound first: the later inbound connection is dumped before it confirms', () => {
    const h = bothConnectionsInOpenSent(DEVICE);
    h.step({ kind: 'message', conn: h.outbound, msg: openFrom(AZURE) });
    const out = h.step({ kind: 'message', conn: h.inbound, msg: openFrom(AZURE) });
    // No KEEPALIVE on the loser: the neighbour never sees it confirm.
    expect(sentOn(out, h.inbound)).toEqual(['notification 6/7']);
    expect(closed(out)).toEqual([h.inbound]);
    h.step({ kind: 'message', conn: h.outbound, msg: KEEPALIVE });
    expect(h.peer.connectionList).toEqual([
      { conn: h.outbound, direction: 'outbound', state: 'Established' },
    ]);
  });

  it('our identifier lower: the connection the neighbour initiated survives, ours gets Cease/7', () => {
    const h = bothConnectionsInOpenSent(AZURE);
    h.step({ kind: 'message', conn: h.outbound, msg: openFrom(DEVICE) });
    const out = h.step({ kind: 'message', conn: h.inbound, msg: openFrom(DEVICE) });
    expect(sentOn(out, h.outbound)).toEqual(['notification 6/7']);
    expect(closed(out)).toEqual([h.outbound]);
    expect(sentOn(out, h.inbound)).toEqual(['keepalive']);
    const established = h.step({ kind: 'message', conn: h.inbound, msg: KEEPALIVE });
    expect(established).toContainEqual(expect.objectContaining({ kind: 'established', conn: h.inbound }));
    expect(h.peer.connectionList).toEqual([{ conn: h.inbound, direction: 'inbound', state: 'Established' }]);
  });

  it('equal identifiers: the connection initiated by the larger AS survives (RFC 6286 §2.3)', () => {
    const twin: FsmConfig = { ...DEVICE, localBgpId: AZURE.localBgpId };
    // Azure (65515) is the larger AS, so from the device's side the inbound connection wins.
    const h = bothConnectionsInOpenSent(twin);
    h.step({ kind: 'message', conn: h.outbound, msg: openFrom(AZURE) });
    const out = h.step({ kind: 'message', conn: h.inbound, msg: openFrom(AZURE) });
    expect(sentOn(out, h.outbound)).toEqual(['notification 6/7']);
  });

  it('a new connection colliding with an Established session is the one closed', () => {
    const h = establishedOutbound(DEVICE, AZURE);
    const inbound = acceptedOf(h.step({ kind: 'tcpAccepted' }));
    const out = h.step({ kind: 'message', conn: inbound, msg: openFrom(AZURE) });
    expect(sentOn(out, inbound)).toEqual(['notification 6/7']);
    expect(out.some((o) => o.kind === 'down')).toBe(false);
    expect(h.peer.connectionList).toEqual([{ conn: h.conn, direction: 'outbound', state: 'Established' }]);
  });

  it('an unacceptable OPEN is refused by its own FSM, not treated as a collision', () => {
    const h = bothConnectionsInOpenSent(DEVICE);
    h.step({ kind: 'message', conn: h.inbound, msg: openFrom(AZURE) });
    const out = h.step({ kind: 'message', conn: h.outbound, msg: openFrom({ ...AZURE, localAsn: 65516 }) });
    expect(sentOn(out, h.outbound)).toEqual(['notification 2/2']);
    expect(h.peer.connectionList.map((c) => c.state)).toEqual(['OpenConfirm']);
  });

  it('a newer inbound connection supersedes an older one still negotiating', () => {
    const h = harness({ ...AZURE, initiate: false });
    h.step({ kind: 'start' });
    const older = acceptedOf(h.step({ kind: 'tcpAccepted' }));
    const out = h.step({ kind: 'tcpAccepted' });
    const newer = acceptedOf(out);
    expect(sentOn(out, older)).toEqual(['notification 6/7']);
    expect(h.peer.connectionList).toEqual([{ conn: newer, direction: 'inbound', state: 'OpenSent' }]);
  });

  it('once Established, a dial-out still waiting for TCP is abandoned silently', () => {
    const h = harness(AZURE);
    const outbound = connectOf(h.step({ kind: 'start' }));
    const inbound = acceptedOf(h.step({ kind: 'tcpAccepted' }));
    h.step({ kind: 'message', conn: inbound, msg: openFrom(DEVICE) });
    const out = h.step({ kind: 'message', conn: inbound, msg: KEEPALIVE });
    expect(closed(out)).toEqual([outbound]);
    expect(sentOn(out, outbound)).toEqual([]);
    expect(out).toContainEqual({ kind: 'cancelTimer', timer: `${outbound}:connectRetry` });
    expect(h.peer.connectionList).toEqual([{ conn: inbound, direction: 'inbound', state: 'Established' }]);
  });
});

describe('BGP peer: prefix limit (RFC 4486 §4)', () => {
  const limited: PeerConfig = { ...AZURE, maxPrefixes: 3 };

  it('counts announced minus withdrawn prefixes; exceeding the limit sends Cease/1 with AFI/SAFI/limit and drops the session', () => {
    const h = establishedOutbound(limited, DEVICE);
    const three = update(['192.168.1.0/24', '192.168.2.0/24', '192.168.3.0/24'], '192.168.1.1', [65010]);
    expect(h.step({ kind: 'message', conn: h.conn, msg: three })).toContainEqual({
      kind: 'update',
      conn: h.conn,
      update: three,
    });
    const swap = update(['192.168.4.0/24'], '192.168.1.1', [65010], ['192.168.3.0/24']);
    expect(h.step({ kind: 'message', conn: h.conn, msg: swap }).some((o) => o.kind === 'update')).toBe(true);
    expect(h.peer.receivedPrefixCount).toBe(3);
    const fourth = update(['192.168.5.0/24'], '192.168.1.1', [65010]);
    const out = h.step({ kind: 'message', conn: h.conn, msg: fourth });
    expect(out.some((o) => o.kind === 'update')).toBe(false);
    const notification = out.find((o) => o.kind === 'send');
    expect(notification).toEqual({
      kind: 'send',
      conn: h.conn,
      msg: notificationOf(6, 1, Uint8Array.of(0, 1, 1, 0, 0, 0, 3)),
    });
    expect(out.find((o) => o.kind === 'down')).toMatchObject({
      kind: 'down',
      reason: { kind: 'notificationSent' },
    });
    expect(h.peer.session).toBeUndefined();
  });

  it('after the limit drops the session the peer stays down: no redial, inbound connections refused', () => {
    const h = establishedOutbound(limited, DEVICE);
    const four = update(
      ['192.168.1.0/24', '192.168.2.0/24', '192.168.3.0/24', '192.168.4.0/24'],
      '192.168.1.1',
      [65010],
    );
    const out = h.step({ kind: 'message', conn: h.conn, msg: four });
    expect(out.some((o) => o.kind === 'armTimer' && o.timer === 'idleHold')).toBe(false);
    expect(h.step({ kind: 'tcpAccepted' })).toEqual([
      { kind: 'rejected', reason: 'held down after exceeding the prefix limit (RFC 4486 Cease/1)' },
    ]);
  });

  it('with maxPrefixRestartSec the hold-down ends and the peer dials again', () => {
    const h = establishedOutbound({ ...limited, maxPrefixRestartSec: 300 }, DEVICE);
    const four = update(
      ['192.168.1.0/24', '192.168.2.0/24', '192.168.3.0/24', '192.168.4.0/24'],
      '192.168.1.1',
      [65010],
    );
    const out = h.step({ kind: 'message', conn: h.conn, msg: four });
    expect(out).toContainEqual({ kind: 'armTimer', timer: 'prefixRestart', delayMs: 300_000 });
    h.at(300_000);
    expect(h.step({ kind: 'timer', timer: 'prefixRestart' })).toContainEqual({
      kind: 'armTimer',
      timer: 'idleHold',
      delayMs: 1_000,
    });
  });

  it('Azure’s limit of 4,000 encodes as RFC 4486 data 0001 01 00000fa0', () => {
    expect([...maxPrefixData(1, 1, 4000)]).toEqual([0, 1, 1, 0, 0, 0x0f, 0xa0]);
  });
});

describe('BGP peer: restarts and administrative stop', () => {
  it('after the session drops, redials after IdleHoldTime with Event 3 AutomaticStart', () => {
    const h = establishedOutbound({ ...DEVICE, idleHoldSec: 5 }, AZURE);
    const down = h.step({ kind: 'tcpClosed', conn: h.conn });
    expect(down).toContainEqual({ kind: 'down', conn: h.conn, reason: { kind: 'transportClosed' } });
    expect(down).toContainEqual({ kind: 'armTimer', timer: 'idleHold', delayMs: 5000 });
    const restart = h.step({ kind: 'timer', timer: 'idleHold' });
    const conn = connectOf(restart);
    expect(conn).not.toBe(h.conn);
    expect(restart).toContainEqual(
      expect.objectContaining({
        kind: 'state',
        conn,
        from: 'Idle',
        to: 'Connect',
        reason: 'Event 3 AutomaticStart',
      }),
    );
  });

  it('a passive-only peer does not redial; it waits to be connected to', () => {
    const h = harness({ ...AZURE, initiate: false });
    h.step({ kind: 'start' });
    const conn = acceptedOf(h.step({ kind: 'tcpAccepted' }));
    const out = h.step({ kind: 'tcpClosed', conn });
    expect(out.some((o) => o.kind === 'armTimer' && o.timer === 'idleHold')).toBe(false);
    expect(h.peer.connectionList).toEqual([]);
  });

  it('an accepted connection that loses TCP in OpenSent is discarded with its timers', () => {
    const h = harness({ ...AZURE, initiate: false });
    h.step({ kind: 'start' });
    const conn = acceptedOf(h.step({ kind: 'tcpAccepted' }));
    const out = h.step({ kind: 'tcpClosed', conn });
    expect(out).toContainEqual({ kind: 'cancelTimer', timer: `${conn}:connectRetry` });
    expect(h.peer.connectionList).toEqual([]);
  });

  it('stop sends Cease/2 on the session, closes everything and does not restart', () => {
    const h = establishedOutbound(DEVICE, AZURE);
    const out = h.step({ kind: 'stop' });
    expect(sentOn(out, h.conn)).toEqual(['notification 6/2']);
    expect(closed(out)).toEqual([h.conn]);
    expect(out.some((o) => o.kind === 'armTimer')).toBe(false);
    expect(h.peer.connectionList).toEqual([]);
    expect(h.step({ kind: 'tcpAccepted' })[0]?.kind).toBe('rejected');
  });

  it('announces only on an Established session', () => {
    const routes = update(['192.168.1.0/24'], '192.168.1.1', [65010]);
    const idle = harness(DEVICE);
    expect(idle.step({ kind: 'announce', update: routes })).toEqual([]);
    const h = establishedOutbound(DEVICE, AZURE);
    expect(h.step({ kind: 'announce', update: routes })).toContainEqual({
      kind: 'send',
      conn: h.conn,
      msg: routes,
    });
  });

  it('closes transport events for connections it does not know, and ignores their late timers', () => {
    const h = harness(DEVICE);
    h.step({ kind: 'start' });
    expect(h.step({ kind: 'tcpConnected', conn: 42 })).toEqual([{ kind: 'close', conn: 42 }]);
    expect(h.step({ kind: 'message', conn: 42, msg: KEEPALIVE })).toEqual([{ kind: 'close', conn: 42 }]);
    expect(h.step({ kind: 'timer', timer: '42:hold' })).toEqual([]);
    expect(h.step({ kind: 'tcpClosed', conn: 42 })).toEqual([]);
  });
});
