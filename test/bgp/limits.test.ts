/**
 * Azure's BGP limits, enforced the way Azure enforces them, proven over the wire
 * (bytes in, bytes out through BgpWire): the 4,000-prefix limit per session
 * (AZURE-FACTS.md, VPN Gateway FAQ) with RFC 4486's Cease/1; memory that stays
 * bounded by the number of distinct prefixes however long a neighbour churns;
 * and the hold timer (RFC 4271 §6.5, §8.2.2) that drops a neighbour whose
 * keepalives come slower than the negotiated hold time, to the millisecond.
 */
import { describe, expect, it } from 'vitest';
import { concatBytes, toHex } from '../../fuzz/bytes.ts';
import { AZURE } from '../../src/model/azure-defaults.ts';
import { decodeMessage, encodeMessage } from '../../src/protocols/bgp/codec.ts';
import type { FsmConfig } from '../../src/protocols/bgp/fsm.ts';
import { buildOpen } from '../../src/protocols/bgp/fsm.ts';
import type {
  BgpMessage,
  BgpNotification,
  BgpUpdate,
  CodecContext,
} from '../../src/protocols/bgp/messages.ts';
import type { PeerConfig, PeerTimer } from '../../src/protocols/bgp/peer.ts';
import { Rib, type RibPeer } from '../../src/protocols/bgp/rib.ts';
import type { WireInput, WireOutput } from '../../src/protocols/bgp/wire.ts';
import { BgpWire } from '../../src/protocols/bgp/wire.ts';
import { CoreDriver, timerFired } from '../../src/sim/driver.ts';
import { Simulator } from '../../src/sim/kernel.ts';

/** Azure's side of a site's BGP session, configured as scenario/world.ts builds it. */
const AZURE_SESSION: PeerConfig = {
  localAsn: AZURE.bgp.asn,
  localBgpId: '10.0.0.12',
  peerAsn: 65010,
  holdTimeSec: AZURE.bgp.holdSeconds,
  fixedKeepaliveSec: AZURE.bgp.keepaliveSeconds,
  maxPrefixes: AZURE.bgp.maxPrefixesPerSession,
};
const BRANCH: FsmConfig = { localAsn: 65010, localBgpId: '192.168.255.1', peerAsn: AZURE.bgp.asn };
const CTX: CodecContext = { fourOctetAs: true, externalPeer: true };
const CONN = 1;

function bytesOf(...messages: BgpMessage[]): Uint8Array {
  return concatBytes(messages.map((message) => encodeMessage(message, CTX)));
}

/** The i-th distinct /24 of 10.0.0.0/8. */
function prefix(i: number): string {
  return `10.${(i >>> 8) & 0xff}.${i & 0xff}.0/24`;
}

function announce(nlri: string[], withdrawn: string[] = []): BgpUpdate {
  return {
    type: 'update',
    withdrawn,
    attributes: { origin: 'igp', asPath: [{ type: 'sequence', asns: [65010] }], nextHop: '192.168.255.1' },
    nlri,
  };
}

/** UPDATEs announcing prefixes `from` .. `to - 1`, 800 per message (3,200 octets of NLRI, under 4,096). */
function announcements(from: number, to: number): BgpUpdate[] {
  const updates: BgpUpdate[] = [];
  for (let start = from; start < to; start += 800) {
    updates.push(announce(Array.from({ length: Math.min(800, to - start) }, (_, i) => prefix(start + i))));
  }
  return updates;
}

/** Azure's wire with the branch's session Established on connection 1. */
function establishedAzure(): BgpWire {
  const wire = new BgpWire(AZURE_SESSION);
  wire.handle(0, { kind: 'start' });
  wire.handle(0, { kind: 'tcpConnected', conn: CONN });
  const out = wire.handle(0, {
    kind: 'bytes',
    conn: CONN,
    bytes: bytesOf(buildOpen(BRANCH), { type: 'keepalive' }),
  });
  if (!out.some((o) => o.kind === 'established')) throw new Error('the branch session did not establish');
  return wire;
}

function feed(wire: BgpWire, ...messages: BgpMessage[]): WireOutput[] {
  return wire.handle(0, { kind: 'bytes', conn: CONN, bytes: bytesOf(...messages) });
}

function announced(outputs: readonly WireOutput[]): number {
  return outputs.reduce((sum, o) => sum + (o.kind === 'update' ? o.update.nlri.length : 0), 0);
}

function notificationsSent(outputs: readonly WireOutput[]): { msg: BgpNotification; bytes: Uint8Array }[] {
  return outputs.flatMap((o) =>
    o.kind === 'send' && o.msg.type === 'notification' ? [{ msg: o.msg, bytes: o.bytes }] : [],
  );
}

describe('Azure prefix limit: 4,000 prefixes per BGP session, the 4,001st drops it (RFC 4486 Cease/1)', () => {
  it('4,000 distinct prefixes are accepted and stay; re-announcing them or swapping one for another is no new prefix', () => {
    const wire = establishedAzure();
    const out = feed(wire, ...announcements(0, 4000));
    expect(announced(out)).toBe(4000);
    expect(notificationsSent(out)).toEqual([]);
    expect(wire.peer.receivedPrefixCount).toBe(4000);
    // Implicit replacement (RFC 4271 §3.1) of routes already held does not count twice.
    expect(notificationsSent(feed(wire, announce([prefix(0), prefix(1), prefix(3999)])))).toEqual([]);
    // Withdrawals are applied before announcements, as the RIB applies them.
    expect(notificationsSent(feed(wire, announce([prefix(4000)], [prefix(0)])))).toEqual([]);
    expect(wire.peer.receivedPrefixCount).toBe(4000);
    expect(wire.peer.session).toBeDefined();
  });

  it('the 4,001st distinct prefix: NOTIFICATION Cease/1 with AFI 1, SAFI 1, limit 4,000 on the wire, then close; the UPDATE never reaches the RIB', () => {
    const wire = establishedAzure();
    feed(wire, ...announcements(0, 4000));
    const out = feed(wire, announce([prefix(4000)]));
    expect(out.filter((o) => o.kind === 'update')).toEqual([]);
    const [sent, ...others] = notificationsSent(out);
    expect(others).toEqual([]);
    // Marker, length 28, type 3; Cease (6) / Maximum Number of Prefixes Reached (1); RFC 4486 §4 data:
    // AFI 1 (2 octets), SAFI 1 (1 octet), the upper bound 4,000 = 0x00000fa0 (4 octets).
    expect(toHex(sent?.bytes ?? new Uint8Array(0))).toBe(
      `${'ff'.repeat(16)}001c03${'0601'}${'0001'}${'01'}${'00000fa0'}`,
    );
    expect(decodeMessage(sent?.bytes ?? new Uint8Array(0), CTX)).toMatchObject({
      ok: true,
      message: sent?.msg,
    });
    const kinds = out.map((o) => o.kind);
    expect(kinds.indexOf('close')).toBeGreaterThan(kinds.indexOf('send'));
    expect(out.find((o) => o.kind === 'down')).toMatchObject({
      reason: { kind: 'notificationSent', notification: { code: 6, subcode: 1 } },
    });
    expect(wire.peer.session).toBeUndefined();
    expect(wire.peer.receivedPrefixCount).toBe(0);
    // The neighbour's bytes after the close are not read.
    expect(feed(wire, { type: 'keepalive' })).toEqual([]);
  });

  it('the limit counts prefixes held, not prefixes ever seen: 4,000 announced, all withdrawn, 4,000 others announced, session up', () => {
    const wire = establishedAzure();
    feed(wire, ...announcements(0, 4000));
    const all = Array.from({ length: 4000 }, (_, i) => prefix(i));
    const withdrawals: BgpUpdate[] = [];
    for (let start = 0; start < 4000; start += 800)
      withdrawals.push({ ...announce([], all.slice(start, start + 800)), attributes: {} });
    const out = feed(wire, ...withdrawals, ...announcements(4000, 8000));
    expect(notificationsSent(out)).toEqual([]);
    expect(wire.peer.receivedPrefixCount).toBe(4000);
  });
});

describe('memory under a flood of UPDATEs: bounded by distinct prefixes, not by messages', () => {
  it('100,000 UPDATEs churning 64 prefixes (announce two, withdraw one, each message): Adj-RIB-In, Loc-RIB and the peer’s prefix set never exceed 64 entries', () => {
    const DISTINCT = 64;
    const MESSAGES = 100_000;
    const wire = establishedAzure();
    const rib = new Rib({ localAsn: AZURE.bgp.asn, maxPaths: 2 });
    const neighbour: RibPeer = {
      key: 'branch',
      address: '192.168.255.1',
      bgpId: '192.168.255.1',
      asn: 65010,
    };
    // 64 distinct messages, cycled: message i announces prefixes 3i and 3i+1 and withdraws 3i+2 (mod 64).
    const variants = Array.from({ length: DISTINCT }, (_, i) =>
      encodeMessage(
        announce(
          [prefix((3 * i) % DISTINCT), prefix((3 * i + 1) % DISTINCT)],
          [prefix((3 * i + 2) % DISTINCT)],
        ),
        CTX,
      ),
    );
    const PER_CHUNK = 100;
    let delivered = 0;
    let peakAdjRibIn = 0;
    let peakLocRib = 0;
    let peakPeer = 0;
    for (let sent = 0; sent < MESSAGES; sent += PER_CHUNK) {
      const chunk = concatBytes(
        Array.from({ length: PER_CHUNK }, (_, i) => variants[(sent + i) % DISTINCT] ?? new Uint8Array(0)),
      );
      for (const output of wire.handle(0, { kind: 'bytes', conn: CONN, bytes: chunk })) {
        if (output.kind === 'send') throw new Error(`the session sent ${output.msg.type} during the churn`);
        if (output.kind !== 'update') continue;
        delivered++;
        rib.applyUpdate(neighbour, output.update);
      }
      peakAdjRibIn = Math.max(peakAdjRibIn, rib.adjRibInOf('branch').size);
      peakLocRib = Math.max(peakLocRib, rib.size);
      peakPeer = Math.max(peakPeer, wire.peer.receivedPrefixCount);
    }
    expect(delivered).toBe(MESSAGES);
    expect(wire.peer.session).toBeDefined();
    expect(peakAdjRibIn).toBeLessThanOrEqual(DISTINCT);
    expect(peakLocRib).toBeLessThanOrEqual(DISTINCT);
    expect(peakPeer).toBeLessThanOrEqual(DISTINCT);
    // The peer's count and the RIB agree: one Adj-RIB-In route per prefix announced and not withdrawn since.
    expect(rib.adjRibInOf('branch').size).toBe(wire.peer.receivedPrefixCount);
  });
});

/** Azure's wire on the simulation kernel, with its timers; the branch's bytes arrive when the test says. */
function holdTimerRun(
  branchHoldSec: number,
  branchSends: (atMs: number) => BgpMessage | undefined,
  untilMs: number,
) {
  const sim = new Simulator({ seed: 1, trace: false });
  const wire = new BgpWire(AZURE_SESSION);
  const log: { atMs: number; output: WireOutput }[] = [];
  const driver = new CoreDriver<WireInput, WireOutput, PeerTimer>(
    sim,
    wire,
    (output) => log.push({ atMs: sim.nowMs, output }),
    timerFired,
  );
  const branchOpen = buildOpen({ ...BRANCH, holdTimeSec: branchHoldSec });
  sim.scheduleAt(0, () => {
    driver.deliver({ kind: 'start' });
    driver.deliver({ kind: 'tcpConnected', conn: CONN });
  });
  sim.scheduleAt(1000, () =>
    driver.deliver({ kind: 'bytes', conn: CONN, bytes: bytesOf(branchOpen, { type: 'keepalive' }) }),
  );
  const lastSent: number[] = [1000];
  const schedule = (atMs: number): void => {
    sim.scheduleAt(atMs, () => {
      const message = branchSends(atMs);
      if (message === undefined) return;
      lastSent.push(atMs);
      driver.deliver({ kind: 'bytes', conn: CONN, bytes: bytesOf(message) });
    });
  };
  return { sim, wire, log, lastSent, schedule, run: () => sim.run(untilMs) };
}

function holdExpiry(log: readonly { atMs: number; output: WireOutput }[]) {
  const sent = log.find((entry) => entry.output.kind === 'send' && entry.output.msg.type === 'notification');
  return sent;
}

describe('hold timer: a neighbour slower than the negotiated hold time is dropped at exactly last message + hold', () => {
  it('branch proposes hold 90 s (negotiated: min(180, 90) = 90 s) but sends keepalives every 90.001 s: NOTIFICATION 4/0 at 91,000 ms, not a millisecond earlier', () => {
    const run = holdTimerRun(90, () => ({ type: 'keepalive' }), 600_000);
    for (let at = 1000 + 90_001; at < 600_000; at += 90_001) run.schedule(at);
    run.sim.run(90_999);
    expect(run.wire.peer.session?.negotiated.holdTimeSec).toBe(90);
    expect(holdExpiry(run.log)).toBeUndefined();
    run.run();
    const expiry = holdExpiry(run.log);
    expect(expiry?.atMs).toBe(1000 + 90_000);
    expect(expiry?.output).toMatchObject({
      kind: 'send',
      conn: CONN,
      msg: { type: 'notification', code: 4, subcode: 0 },
    });
    const atExpiry = run.log.filter((entry) => entry.atMs === 91_000).map((entry) => entry.output.kind);
    expect(atExpiry).toEqual(expect.arrayContaining(['send', 'close', 'down']));
    // The keepalive that arrives a millisecond late finds the connection gone.
    expect(run.log.filter((entry) => entry.atMs === 91_001)).toEqual([]);
  });

  it('Azure’s own 180 s: a branch proposing 180 s and sending keepalives every 181 s is dropped 180,000 ms after its last one', () => {
    const run = holdTimerRun(180, () => ({ type: 'keepalive' }), 1_000_000);
    for (let at = 1000 + 181_000; at < 1_000_000; at += 181_000) run.schedule(at);
    run.run();
    expect(holdExpiry(run.log)?.atMs).toBe(181_000);
  });

  it('keepalives every 89.999 s against hold 90 s keep the session up for an hour; so do UPDATEs instead of keepalives (each restarts the hold timer)', () => {
    const keepalives = holdTimerRun(90, () => ({ type: 'keepalive' }), 3_600_000);
    for (let at = 1000 + 89_999; at < 3_600_000; at += 89_999) keepalives.schedule(at);
    keepalives.run();
    expect(holdExpiry(keepalives.log)).toBeUndefined();
    expect(keepalives.wire.peer.session).toBeDefined();

    const updates = holdTimerRun(90, (at) => announce([prefix(at % 4000)]), 3_600_000);
    for (let at = 1000 + 80_000; at < 3_600_000; at += 80_000) updates.schedule(at);
    updates.run();
    expect(holdExpiry(updates.log)).toBeUndefined();
    expect(updates.wire.peer.session).toBeDefined();
  });

  it('a branch that falls silent after 5 keepalives on time is dropped exactly one hold time after the fifth', () => {
    const run = holdTimerRun(
      90,
      (at) => (at <= 1000 + 5 * 30_000 ? { type: 'keepalive' } : undefined),
      1_000_000,
    );
    for (let at = 1000 + 30_000; at < 1_000_000; at += 30_000) run.schedule(at);
    run.run();
    const last = Math.max(...run.lastSent);
    expect(last).toBe(151_000);
    expect(holdExpiry(run.log)?.atMs).toBe(last + 90_000);
  });
});
