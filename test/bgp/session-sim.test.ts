import { describe, expect, it } from 'vitest';
import type { FsmState } from '../../src/protocols/bgp/fsm.ts';
import type { PeerConfig } from '../../src/protocols/bgp/peer.ts';
import { Simulator } from '../../src/sim/kernel.ts';
import { AZURE, DEVICE, update } from './bgp-fixtures.ts';
import { SimLink, SimSpeaker } from './session-sim-harness.ts';

const LATENCY_MS = 10;
const HUB = '10.0.0.0/16';
const SITE = '192.168.1.0/24';
const SIX_HOURS_MS = 6 * 3600 * 1000;

/** Azure Instance0 (65515) and an on-premises device (65010), `LATENCY_MS` apart. */
function world(azure: Partial<PeerConfig>, device: Partial<PeerConfig>) {
  const sim = new Simulator({ seed: 1 });
  const azureSpeaker = new SimSpeaker(
    'azure',
    sim,
    { ...AZURE, ...azure },
    '10.0.0.12',
    update([HUB], '10.0.0.12', [65515]),
  );
  const deviceSpeaker = new SimSpeaker(
    'device',
    sim,
    { ...DEVICE, ...device },
    '192.168.1.1',
    update([SITE], '192.168.1.1', [65010]),
  );
  const link = new SimLink(sim, azureSpeaker, deviceSpeaker, LATENCY_MS);
  return { sim, azure: azureSpeaker, device: deviceSpeaker, link };
}

/** Times at which a speaker's session reached or left Established. */
function sessionEvents(speaker: SimSpeaker): string[] {
  return speaker.outputs.flatMap(({ atMs, output }) => {
    if (output.kind === 'established') return [`up@${atMs} conn ${output.conn}`];
    if (output.kind === 'down') return [`down@${atMs} conn ${output.conn}`];
    return [];
  });
}

function states(speaker: SimSpeaker): FsmState[] {
  return speaker.wire.peer.connectionList.map((c) => c.state);
}

function keepalivesSent(speaker: SimSpeaker): number[] {
  return speaker
    .sentMessages()
    .filter((m) => m.msg.type === 'keepalive')
    .map((m) => m.atMs);
}

function expectRoutesExchanged(azure: SimSpeaker, device: SimSpeaker): void {
  expect(azure.rib.get(SITE)?.nextHops).toEqual(['192.168.1.1']);
  expect(azure.rib.get(SITE)?.best.peer.asn).toBe(65010);
  expect(device.rib.get(HUB)?.nextHops).toEqual(['10.0.0.12']);
  expect(device.rib.get(HUB)?.best.peer.bgpId).toBe('10.0.0.12');
}

describe('BGP session on the simulator: who opens TCP port 179', () => {
  it('APIPA: Azure only listens, the device opens; Established at 40 ms (device) and 50 ms (Azure)', () => {
    const { sim, azure, device } = world({ initiate: false }, {});
    azure.deliver({ kind: 'start' });
    device.deliver({ kind: 'start' });
    sim.advance(1000);
    // SYN 0→10, SYN-ACK →20 (device sends OPEN), ACK →30 (Azure accepts, sends OPEN,
    // reads the device's OPEN, KEEPALIVE), 40: device reads OPEN+KEEPALIVE; 50: Azure reads KEEPALIVE.
    expect(sessionEvents(device)).toEqual(['up@40 conn 1']);
    expect(sessionEvents(azure)).toEqual(['up@50 conn 1']);
    expect(azure.wire.peer.connectionList).toEqual([{ conn: 1, direction: 'inbound', state: 'Established' }]);
    expect(device.wire.peer.connectionList).toEqual([
      { conn: 1, direction: 'outbound', state: 'Established' },
    ]);
    expect(azure.outputs.some(({ output }) => output.kind === 'connect')).toBe(false);
    expectRoutesExchanged(azure, device);
  });

  it('Azure as the client towards a device that only listens', () => {
    const { sim, azure, device } = world({}, { initiate: false });
    azure.deliver({ kind: 'start' });
    device.deliver({ kind: 'start' });
    sim.advance(1000);
    expect(azure.wire.peer.connectionList).toEqual([
      { conn: 1, direction: 'outbound', state: 'Established' },
    ]);
    expect(device.wire.peer.connectionList).toEqual([
      { conn: 1, direction: 'inbound', state: 'Established' },
    ]);
    expectRoutesExchanged(azure, device);
  });

  it('simultaneous open: both dial at once; the connection the device (higher identifier) opened survives on both sides', () => {
    const { sim, azure, device, link } = world({}, {});
    azure.deliver({ kind: 'start' });
    device.deliver({ kind: 'start' });
    sim.advance(60_000);
    expect(states(azure)).toEqual(['Established']);
    expect(states(device)).toEqual(['Established']);
    // The device's identifier 192.168.1.1 beats Azure's 10.0.0.12: its outbound connection is the one.
    expect(device.wire.peer.connectionList[0]?.direction).toBe('outbound');
    expect(azure.wire.peer.connectionList[0]?.direction).toBe('inbound');
    // The loser was refused with Cease/7 by both sides — and no session ever went up on it.
    for (const speaker of [azure, device]) {
      const cease7 = speaker
        .sentMessages()
        .filter((m) => m.msg.type === 'notification' && m.msg.code === 6 && m.msg.subcode === 7);
      expect(cease7.map((m) => m.atMs)).toEqual([40]);
    }
    expect(link.deliveries.every((d) => d.msg.type !== 'notification')).toBe(true);
    expect(sessionEvents(azure)).toHaveLength(1);
    expect(sessionEvents(device)).toHaveLength(1);
    expectRoutesExchanged(azure, device);
  });

  it('a device configured with the wrong Azure ASN is refused on the wire with OPEN error 2/2 Bad Peer AS', () => {
    const { sim, azure, device, link } = world({ initiate: false }, { peerAsn: 65516 });
    azure.deliver({ kind: 'start' });
    device.deliver({ kind: 'start' });
    sim.advance(500);
    const refusal = link
      .deliveredTo('azure')
      .find((d) => d.msg.type === 'notification' && d.msg.code === 2 && d.msg.subcode === 2);
    expect(refusal).toBeDefined();
    expect(sessionEvents(azure)).toEqual([]);
    expect(sessionEvents(device)).toEqual([]);
  });
});

describe('BGP session on the simulator: near-simultaneous opens', () => {
  // Who keeps which connection, by how late the device starts (latency 10 ms):
  // up to 10 ms both OPENs meet connections in OpenSent/OpenConfirm and §6.8 keeps the
  // one the device (higher identifier) initiated; from 15 ms Azure's connection is
  // already Established when the device's OPEN arrives, so the newer one is closed;
  // at 35 ms the device was not yet started when Azure's SYN came, refused it, and
  // then dialled itself.
  const cases: [number, 'outbound' | 'inbound'][] = [
    [1, 'outbound'],
    [5, 'outbound'],
    [10, 'outbound'],
    [15, 'inbound'],
    [20, 'inbound'],
    [25, 'inbound'],
    [35, 'outbound'],
  ];
  for (const [skewMs, deviceSide] of cases) {
    it(`the device starts ${skewMs} ms after Azure: one session on the ${deviceSide === 'outbound' ? 'device' : 'Azure'}-initiated connection`, () => {
      const { sim, azure, device } = world({}, {});
      azure.deliver({ kind: 'start' });
      sim.schedule(skewMs, () => device.deliver({ kind: 'start' }));
      sim.advance(10 * 60_000);
      const azureConns = azure.wire.peer.connectionList;
      const deviceConns = device.wire.peer.connectionList;
      expect(azureConns.map((c) => c.state)).toEqual(['Established']);
      expect(deviceConns.map((c) => c.state)).toEqual(['Established']);
      // Complementary directions: it is the same TCP connection seen from both ends.
      expect(deviceConns[0]?.direction).toBe(deviceSide);
      expect(azureConns[0]?.direction).toBe(deviceSide === 'outbound' ? 'inbound' : 'outbound');
      expect(sessionEvents(azure).filter((e) => e.startsWith('up'))).toHaveLength(1);
      expect(sessionEvents(device).filter((e) => e.startsWith('up'))).toHaveLength(1);
      expect(sessionEvents(azure).filter((e) => e.startsWith('down'))).toHaveLength(0);
      expectRoutesExchanged(azure, device);
    });
  }
});

describe('BGP session on the simulator: keepalives and hold timer', () => {
  it('holds for 6 hours on keepalives alone: 360 KEEPALIVEs each way, 60 s apart (hold 180 s / 3)', () => {
    const { sim, azure, device } = world({ initiate: false }, {});
    azure.deliver({ kind: 'start' });
    device.deliver({ kind: 'start' });
    sim.run(SIX_HOURS_MS);
    // Device: the OpenConfirm KEEPALIVE at 40 ms; its UPDATE at 40 ms restarts the timer
    // (§8.2.2), so then 60,040 + 60,000·k ≤ 21,600,000 for k = 0..358: 1 + 359 = 360.
    // Azure: OpenConfirm KEEPALIVE at 30 ms, UPDATE at 50 ms, then 60,050 + 60,000·k: 360.
    const deviceKeepalives = keepalivesSent(device);
    const azureKeepalives = keepalivesSent(azure);
    expect(deviceKeepalives).toHaveLength(360);
    expect(azureKeepalives).toHaveLength(360);
    expect(deviceKeepalives.slice(0, 3)).toEqual([40, 60_040, 120_040]);
    expect(azureKeepalives.slice(0, 3)).toEqual([30, 60_050, 120_050]);
    expect(deviceKeepalives.at(-1)).toBe(21_540_040);
    expect(azureKeepalives.at(-1)).toBe(21_540_050);
    for (const series of [deviceKeepalives, azureKeepalives]) {
      for (let i = 2; i < series.length; i++)
        expect((series[i] as number) - (series[i - 1] as number)).toBe(60_000);
    }
    expect(sessionEvents(azure)).toEqual(['up@50 conn 1']);
    expect(sessionEvents(device)).toEqual(['up@40 conn 1']);
    // Exactly one UPDATE each way: nothing flapped.
    expect(azure.sentMessages().filter((m) => m.msg.type === 'update')).toHaveLength(1);
    expect(device.sentMessages().filter((m) => m.msg.type === 'update')).toHaveLength(1);
    expectRoutesExchanged(azure, device);
  });

  it('device goes silent (no TCP close): Azure tears down at last message + 180 s exactly, sends 4/0, withdraws the site', () => {
    const { sim, azure, device, link } = world({ initiate: false }, {});
    azure.deliver({ kind: 'start' });
    device.deliver({ kind: 'start' });
    const silenceAt = 3 * 3600 * 1000 + 12_345;
    sim.run(silenceAt);
    device.silent = true;
    sim.run(silenceAt + 10 * 60_000);

    const fromDevice = link.deliveries.filter((d) => d.from === 'device');
    const lastHeard = (fromDevice.at(-1) as { atMs: number }).atMs;
    // The device's last KEEPALIVE left at 10,800,040 ms (60,040 + 179 × 60,000) and arrived 10 ms later.
    expect(lastHeard).toBe(10_800_050);
    const teardown = lastHeard + 180_000;

    const down = azure.outputs.find(({ output }) => output.kind === 'down');
    expect(down?.atMs).toBe(teardown);
    expect(down?.output).toMatchObject({
      kind: 'down',
      reason: { kind: 'notificationSent', notification: { code: 4 } },
    });
    const holdExpired = azure
      .sentMessages()
      .filter((m) => m.msg.type === 'notification' && m.msg.code === 4 && m.msg.subcode === 0);
    expect(holdExpired.map((m) => m.atMs)).toEqual([teardown]);
    expect(
      azure.outputs.some(
        ({ atMs, output }) =>
          atMs === teardown && output.kind === 'state' && output.reason === 'Event 10 HoldTimer_Expires',
      ),
    ).toBe(true);

    // Azure forgets the site at that instant; the device, told by the NOTIFICATION, forgets the hub 10 ms later.
    expect(azure.routeChanges.filter((c) => c.change.prefix === SITE).at(-1)).toEqual({
      atMs: teardown,
      change: { prefix: SITE, oldNextHops: ['192.168.1.1'], newNextHops: [], entry: undefined },
    });
    expect(azure.rib.size).toBe(0);
    expect(device.routeChanges.at(-1)).toMatchObject({
      atMs: teardown + LATENCY_MS,
      change: { prefix: HUB, newNextHops: [] },
    });
    expect(device.rib.size).toBe(0);
    // Azure (APIPA: passive) never dials the device back.
    expect(azure.outputs.some(({ output }) => output.kind === 'connect')).toBe(false);
  });

  it('a device whose hold time is 30 s against Azure’s fixed 60 s keepalives loses the session at 30 s and flaps', () => {
    const { sim, azure, device } = world({ initiate: false, fixedKeepaliveSec: 60 }, { holdTimeSec: 30 });
    azure.deliver({ kind: 'start' });
    device.deliver({ kind: 'start' });
    sim.run(5 * 60_000);
    const deviceEvents = sessionEvents(device);
    // Up at 40 ms, Azure's UPDATE (sent at 50 ms) arrives at 60 ms and is the last thing heard: down 30 s later.
    expect(deviceEvents.slice(0, 2)).toEqual(['up@40 conn 1', 'down@30060 conn 1']);
    expect(deviceEvents.length).toBeGreaterThan(4);
  });
});
