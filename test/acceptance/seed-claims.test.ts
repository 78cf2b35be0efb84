/**
 * The seed's claims (../shared/seed/vwan-vpn-ha-design.md), each run on the
 * examples/ it describes. Every number asserted here says where it comes from:
 * Azure's documented timers (model/azure-defaults.ts), the IKE DPD formula
 * (protocols/ike/config.ts), or the design itself.
 */
import { describe, expect, it } from 'vitest';
import { AZURE } from '../../src/model/azure-defaults.ts';
import { example, interactive, outageOf, run, variant } from './helpers.ts';

const WARMUP_MS = 120_000;
const CRASH_AT_MS = 60_000;

describe('Configuration 1, BGP active-active', () => {
  it('normal operation: two tunnels, two BGP sessions (one per instance), Azure→site flows split 45–55 % across them', () => {
    // 2 VNets × 500 flows = 1,000 Azure→site flows: a fair split lands within ±5 % with room to spare (σ ≈ 1.6 %).
    const live = interactive(example('bgp-active-active'), 500);
    live.advance(30_000);
    const snap = live.snapshot();
    expect(snap.tunnels.map((t) => [t.instance, t.dataCapable])).toEqual([
      ['IN_0', true],
      ['IN_1', true],
    ]);
    expect(snap.sessions.map((s) => [s.instance, s.azureEstablished, s.deviceEstablished])).toEqual([
      ['IN_0', true, true],
      ['IN_1', true, true],
    ]);
    for (const tunnel of snap.tunnels) {
      expect(tunnel.share.toSite).toBeGreaterThanOrEqual(0.45);
      expect(tunnel.share.toSite).toBeLessThanOrEqual(0.55);
      // The device does ECMP too (ecmp: true), so the return traffic splits as well.
      expect(tunnel.share.toAzure).toBeGreaterThanOrEqual(0.4);
    }
    expect(live.summary().toSite.packetsLost + live.summary().toAzure.packetsLost).toBe(0);
  });

  it('IN_0 unplanned failure: IN_0 flows move to IN_1 after the timers say, IN_1 flows lose nothing, nothing moves', () => {
    const live = interactive(example('bgp-active-active'));
    live.advance(CRASH_AT_MS);
    const onIn0 = (direction: 'toSite' | 'toAzure') =>
      new Set(
        live.flows
          .filter(
            (f) => f.direction === direction && live.dataplane.pathOf(f.id)?.tunnel?.id.endsWith('@IN_0'),
          )
          .map((f) => f.id),
      );
    const toSiteOnIn0 = onIn0('toSite');
    const toAzureOnIn0 = onIn0('toAzure');
    live.apply({ at: 0, instance: 'IN_0', action: 'fail', mode: 'unplanned' });
    live.advance(400_000);

    // Azure→site: the hub keeps hashing to IN_0 until the platform notices (AZURE.platform.unplannedDetectionMs,
    // the lower bound of the documented 1–1.5 min unplanned failover).
    const expectedToSite = AZURE.platform.unplannedDetectionMs;
    // site→Azure: traffic flows until the crash, so the device's DPD (probe after a third of the timeout
    // without ESP, give up when it has passed: protocols/ike/dpd-plan.ts) declares IN_0 dead exactly
    // dpdTimeoutSeconds (45 s, Azure's default) after the crash, and withdraws the routes through that
    // tunnel at once (deadTunnelRoutes: withdrawOnDpd).
    const expectedToAzure = AZURE.ipsec.dpdTimeoutSeconds.default * 1000;

    for (const m of live.flowMetrics()) {
      const wasOnIn0 = m.direction === 'toSite' ? toSiteOnIn0.has(m.id) : toAzureOnIn0.has(m.id);
      if (!wasOnIn0) {
        expect(m.lost, `flow ${m.id} (${m.direction}) was on IN_1 and must lose nothing`).toBe(0);
        continue;
      }
      const expected = m.direction === 'toSite' ? expectedToSite : expectedToAzure;
      expect(m.outages).toEqual([{ startMs: CRASH_AT_MS, endMs: CRASH_AT_MS + expected }]);
      expect(m.sessionResets).toBe(0);
      expect(m.finalPath).toContain('IN_1');
    }
    expect(toSiteOnIn0.size).toBeGreaterThan(0);
    expect(toAzureOnIn0.size).toBeGreaterThan(0);

    // Nothing moves: IN_0's public IP stays IN_0's, its BGP address stays on IN_0, IN_1's session never drops.
    const snap = live.snapshot();
    expect(snap.instances.find((i) => i.id === 'IN_0')?.holdsIps).toEqual(['20.50.1.10']);
    expect(snap.instances.find((i) => i.id === 'IN_1')?.holdsIps).toEqual(['20.50.1.11']);
    expect(live.traceSince(0).filter((e) => e.event === 'ip.owner')).toEqual([]);
    expect(live.world.sessions.find((s) => s.instance === 'IN_0')?.azureBgpIp).toBe('10.0.0.12');
    const in1Drops = live.traceSince(0).filter((e) => e.event === 'bgp.down' && e.source.includes('@IN_1'));
    expect(in1Drops).toEqual([]);
  });

  it('planned maintenance is graceful: the outage is far shorter than an unplanned one', () => {
    const topology = example('bgp-active-active');
    const planned = run(topology, ['fail IN_0 planned at 60s', 'recover IN_0 at 5m']).result.summary;
    const unplanned = run(topology, ['fail IN_0 unplanned at 60s', 'recover IN_0 at 5m']).result.summary;
    const worst = (s: typeof planned) => Math.max(s.toSite.worstOutageMs, s.toAzure.worstOutageMs);
    // Planned: the hub stops using IN_0 first and BGP Cease / IKE DELETE reach the device one latency
    // (20 ms, the link's latencyMs) later, so at most that long is lost.
    expect(worst(planned)).toBeLessThanOrEqual(20);
    expect(worst(unplanned)).toBeGreaterThanOrEqual(AZURE.platform.unplannedDetectionMs);
    expect(planned.toSite.packetsLost).toBe(0);
  });

  it('remote ECMP off: site→Azure uses one tunnel only, and failing the other instance costs it nothing', () => {
    const topology = variant('bgp-active-active', (raw) => {
      raw.vpnSites[0].devices[0].ecmp = false;
    });
    const live = interactive(topology);
    live.advance(CRASH_AT_MS);
    const shares = live.snapshot().tunnels.map((t) => [t.instance, t.share.toAzure]);
    // The device keeps one best path; BGP's last tie-break, the lowest router id, picks IN_0 (10.0.0.12).
    expect(shares).toEqual([
      ['IN_0', 1],
      ['IN_1', 0],
    ]);
    live.apply({ at: 0, instance: 'IN_1', action: 'fail', mode: 'unplanned' });
    live.advance(300_000);
    expect(live.summary().toAzure.packetsLost).toBe(0);
    // Azure→site still spreads over both instances, so the IN_1 half of those flows does lose.
    expect(live.summary().toSite.packetsLost).toBeGreaterThan(0);
  });

  describe('remote BGP address on a loopback vs on the tunnel interface (the seed recommends the loopback)', () => {
    const loopback = example('bgp-active-active');
    const tunnelInterface = variant('bgp-active-active', (raw) => {
      raw.vpnSites[0].devices[0].bgpAddressOn = 'tunnel';
    });
    const bgpDrops = (r: ReturnType<typeof run>) =>
      r.result.trace.filter((e) => e.event === 'bgp.down' && e.atMs >= 0).map((e) => e.source);

    it('both converge after an instance failure, and with the VTI default both move traffic at DPD time', () => {
      for (const topology of [loopback, tunnelInterface]) {
        const { result } = run(topology, ['fail IN_0 unplanned at 60s', 'recover IN_0 at 5m']);
        expect(result.events.every((e) => e.convergenceMs < 120_000)).toBe(true);
      }
    });

    it('a brief tunnel reset: the loopback session rides it out, the tunnel-interface session flaps on both sides', () => {
      const a = run(loopback, ['reset tunnel branch1-isp1-conn@IN_0 at 60s']);
      const b = run(tunnelInterface, ['reset tunnel branch1-isp1-conn@IN_0 at 60s']);
      expect(bgpDrops(a)).toEqual([]);
      expect(bgpDrops(b)).toEqual([
        'branch1-fw1/bgp:branch1-isp1-conn@IN_0',
        'IN_0/bgp:branch1-isp1-conn@IN_0',
      ]);
      // …and the tunnel-interface session comes back on its own.
      const reestablished = b.result.trace.filter((e) => e.event === 'bgp.established' && e.atMs > 60_000);
      expect(reestablished.length).toBe(2);
    });

    it('without VTI-style route removal, a loopback session holds dead routes until the hold timer (180 s)', () => {
      const keep = (on: 'loopback' | 'tunnel') =>
        variant('bgp-active-active', (raw) => {
          raw.vpnSites[0].devices[0].deadTunnelRoutes = 'keepUntilBgpHold';
          raw.vpnSites[0].devices[0].bgpAddressOn = on;
        });
      const loop = run(keep('loopback'), ['fail IN_0 unplanned at 60s']).result.summary.toAzure;
      const tun = run(keep('tunnel'), ['fail IN_0 unplanned at 60s']).result.summary.toAzure;
      // Hold expiry comes 180 s after the last keepalive heard (every 60 s): 120–180 s after the crash.
      expect(loop.worstOutageMs).toBeGreaterThan(120_000);
      expect(loop.worstOutageMs).toBeLessThanOrEqual(AZURE.bgp.holdSeconds * 1000);
      // The tunnel-interface session dies with the tunnel, at DPD time (45–75 s).
      expect(tun.worstOutageMs).toBeLessThanOrEqual(75_000);
    });
  });

  it('diversity: a second device adds a connection, two tunnels and two BGP sessions; losing either device leaves traffic flowing', () => {
    const topology = example('bgp-two-devices');
    const live = interactive(topology);
    live.advance(10_000);
    const snap = live.snapshot();
    expect(snap.tunnels.filter((t) => t.dataCapable)).toHaveLength(4);
    expect(snap.sessions.filter((s) => s.azureEstablished && s.deviceEstablished)).toHaveLength(4);
    expect(topology.vpnConnections).toHaveLength(2);
    for (const device of snap.devices.map((d) => d.name)) {
      const { result, world } = run(topology, [`fail device ${device} at 60s`]);
      const losing = world.sim ? result.flows.filter((f) => f.outages.some((o) => o.endMs >= 600_000)) : [];
      expect(losing, `after ${device} fails every flow must be delivering again`).toEqual([]);
      expect(result.summary.toSite.shareHit).toBeLessThan(0.6);
      expect(result.summary.toAzure.shareHit).toBeLessThan(0.6);
    }
  });

  it('Azure as BGP client and as server: both establish, and the collision resolves to one session', () => {
    // Non-APIPA device: Azure and the device both open TCP 179; RFC 4271 §6.8 keeps one connection.
    const both = interactive(example('bgp-active-active'));
    both.advance(1_000);
    const opens = both
      .traceSince(-WARMUP_MS)
      .filter((e) => e.event === 'bgp.state' && e.detail?.to === 'OpenSent');
    expect(new Set(opens.map((e) => e.source.split('/')[0]))).toEqual(
      new Set(['IN_0', 'IN_1', 'branch1-fw1']),
    );
    expect(both.snapshot().sessions.every((s) => s.azureEstablished && s.deviceEstablished)).toBe(true);

    // APIPA device address: Azure never opens, it only listens; the device is the client.
    const apipa = variant('bgp-active-active', (raw) => {
      raw.vpnGateway.instances[0].customBgpIpAddresses = ['169.254.21.1'];
      raw.vpnGateway.instances[1].customBgpIpAddresses = ['169.254.22.1'];
      raw.vpnSites[0].devices[0].vpnSiteLinks[0].bgpProperties.bgpPeeringAddress = '169.254.21.10';
      raw.vpnConnections[0].vpnLinkConnections[0].vpnGatewayCustomBgpAddresses = [
        { ipConfigurationId: 'IN_0', customBgpIpAddress: '169.254.21.1' },
        { ipConfigurationId: 'IN_1', customBgpIpAddress: '169.254.22.1' },
      ];
    });
    const server = interactive(apipa);
    server.advance(1_000);
    const azureDials = server
      .traceSince(-WARMUP_MS)
      .filter((e) => e.event === 'bgp.state' && e.source.startsWith('IN_') && e.detail?.to === 'Connect');
    expect(azureDials).toEqual([]);
    expect(server.snapshot().sessions.every((s) => s.azureEstablished && s.deviceEstablished)).toBe(true);
    expect(server.world.sessions.map((s) => s.azureBgpIp)).toEqual(['169.254.21.1', '169.254.22.1']);
  });
});

describe('Configuration 2, static routes', () => {
  it('dual tunnel: ECMP both ways; an instance failure behaves like BGP and nothing moves', () => {
    const topology = example('static-dual-tunnel');
    const live = interactive(topology);
    live.advance(30_000);
    for (const tunnel of live.snapshot().tunnels) {
      expect(tunnel.share.toSite).toBeGreaterThanOrEqual(0.2);
      expect(tunnel.share.toAzure).toBeGreaterThanOrEqual(0.2);
    }
    const { result } = run(topology, ['fail IN_0 unplanned at 60s', 'recover IN_0 at 5m']);
    expect(result.trace.filter((e) => e.event === 'ip.owner')).toEqual([]);
    expect(result.summary.toSite.sessionResets + result.summary.toAzure.sessionResets).toBe(0);
    for (const direction of ['toSite', 'toAzure'] as const) {
      expect(result.summary[direction].shareHit).toBeGreaterThan(0.3);
      expect(result.summary[direction].shareHit).toBeLessThan(0.7);
    }
  });

  it('single tunnel: 100 % on one tunnel; the public IP and tunnel move to IN_1 and back, every session re-established twice', () => {
    const topology = example('static-single-tunnel');
    const live = interactive(topology);
    live.advance(CRASH_AT_MS);
    const [tunnel] = live.snapshot().tunnels;
    expect(tunnel?.share).toEqual({ toSite: 1, toAzure: 1 });
    live.apply({ at: 0, instance: 'IN_0', action: 'fail', mode: 'unplanned' });
    live.advance(240_000);
    // IN_0's public IP now answers on IN_1, and the device rebuilt its tunnel to the same peer IP.
    const moved = live.snapshot().tunnels[0];
    expect(moved?.azureIp).toBe('20.50.1.10');
    expect(moved?.carriedBy).toBe('IN_1');
    expect(moved?.dataCapable).toBe(true);
    live.apply({ at: 0, instance: 'IN_0', action: 'recover', mode: 'unplanned' });
    live.advance(300_000);
    expect(live.snapshot().tunnels[0]?.carriedBy).toBe('IN_0');
    const owners = live
      .traceSince(0)
      .filter((e) => e.event === 'ip.owner')
      .map((e) => e.detail?.owner);
    expect(owners).toEqual([null, 'IN_1', null, 'IN_0']);
    for (const m of live.flowMetrics()) {
      expect(m.sessionResets, `flow ${m.id} (${m.direction})`).toBe(2);
      expect(m.outages).toHaveLength(2);
    }
  });

  it('single tunnel + a second device on the other instance: any single instance or device failure hits about half the sessions', () => {
    const topology = example('static-single-two-devices');
    const failures = [
      'fail IN_0 unplanned at 60s',
      'fail IN_1 unplanned at 60s',
      'fail device branch1-fw1 at 60s',
      'fail device branch1-fw2 at 60s',
    ];
    for (const failure of failures) {
      const { result } = run(topology, [failure]);
      for (const direction of ['toSite', 'toAzure'] as const) {
        const share = result.summary[direction].shareHit;
        expect(share, `${failure}: ${direction}`).toBeGreaterThanOrEqual(0.4);
        expect(share, `${failure}: ${direction}`).toBeLessThanOrEqual(0.6);
      }
    }
  });
});

describe('the simulator itself', () => {
  it('is deterministic: same inputs and seed give byte-identical JSON; another seed does not', () => {
    const topology = example('bgp-two-devices');
    const events = ['fail IN_0 unplanned at 60s', 'fail device branch1-fw2 at 2m', 'recover IN_0 at 5m'];
    const a = JSON.stringify(run(topology, events).result);
    const b = JSON.stringify(run(topology, events).result);
    const c = JSON.stringify(run(topology, events, { seed: 2 }).result);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('accounts every packet: sent = delivered + lost for every flow, and outages add up to the loss', () => {
    const { result } = run(example('static-single-tunnel'), [
      'fail IN_0 planned at 60s',
      'recover IN_0 at 5m',
    ]);
    for (const flow of result.flows) {
      expect(flow.sent).toBe(flow.delivered + flow.lost);
      // 10 pps: every second of outage is 10 packets, to within one packet per outage edge.
      expect(Math.abs(flow.lost - outageOf(flow) / 100)).toBeLessThanOrEqual(flow.outages.length);
    }
  });
});
