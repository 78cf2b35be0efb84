import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../src/model/index.ts';
import { example, interactive, run, variant } from './helpers.ts';

describe('tunnels over long runs and odd configurations', () => {
  it('ten hours without failures: IKE and CHILD SAs rekey (make-before-break) and no packet is lost', () => {
    const { result } = run(example('bgp-active-active'), [], {
      duration: '10h',
      traffic: { flowsPerPair: 10 },
    });
    const rekeys = result.trace.filter((e) => e.event === 'ike.childSa' && e.detail?.reason === 'rekeyed');
    // CHILD SAs live 3,600 s and are rekeyed 540–1,080 s before that: at least 10 rekeys per tunnel end in 10 h.
    expect(rekeys.length).toBeGreaterThanOrEqual(2 * 2 * 10);
    expect(result.summary.toSite.packetsLost + result.summary.toAzure.packetsLost).toBe(0);
    expect(result.trace.filter((e) => e.event === 'bgp.down')).toEqual([]);
  });

  it('a ResponderOnly device facing a ResponderOnly link connection never comes up, and the validator says so', () => {
    const topology = variant('static-dual-tunnel', (raw) => {
      raw.vpnSites[0].devices[0].connectionMode = 'ResponderOnly';
      raw.vpnConnections[0].vpnLinkConnections[0].vpnLinkConnectionMode = 'ResponderOnly';
    });
    const live = interactive(topology, 5);
    live.advance(600_000);
    expect(live.snapshot().tunnels.map((t) => t.dataCapable)).toEqual([false, false]);
    expect(live.summary().toSite.shareHit).toBe(1);
    const yaml = JSON.stringify(topology);
    const checked = loadTopology(yaml);
    expect(checked.ok && checked.warnings.some((w) => /ResponderOnly/.test(w.message))).toBe(true);
  });

  it('InitiatorOnly on one side and ResponderOnly on the other comes up', () => {
    const topology = variant('static-dual-tunnel', (raw) => {
      raw.vpnSites[0].devices[0].connectionMode = 'InitiatorOnly';
      raw.vpnConnections[0].vpnLinkConnections[0].vpnLinkConnectionMode = 'ResponderOnly';
    });
    const live = interactive(topology, 5);
    expect(live.snapshot().tunnels.every((t) => t.dataCapable)).toBe(true);
  });

  it('only one instance is in planned maintenance at a time: the second request is refused and traced', () => {
    const { result } = run(example('bgp-active-active'), [
      'fail IN_0 planned at 60s',
      'fail IN_1 planned at 61s',
    ]);
    const refused = result.trace.filter((e) => e.event === 'gateway.rejected');
    expect(refused.map((e) => e.detail?.reason)).toEqual([
      'IN_0 is in planned maintenance; only one instance at a time',
    ]);
  });
});

describe('overlapping prefixes from several sites (hub route preference)', () => {
  const overlapping = variant('bgp-two-devices', (raw) => {
    // branch1-b announces the more specific 192.168.10.0/24 only; branch1-a the /16 summary.
    raw.vpnSites[0].devices[0].advertisedPrefixes = ['192.168.0.0/16'];
    raw.vpnSites[1].devices[0].advertisedPrefixes = ['192.168.10.0/24'];
  });

  it('the site advertising the more specific prefix wins, loses it while down, and wins again once back', () => {
    const specific = overlapping.vpnSites[1]?.name ?? '';
    const deviceB = overlapping.vpnSites[1]?.devices[0]?.name ?? '';
    const live = interactive(overlapping, 50);
    live.advance(60_000);
    const toSpecific = live.flows.filter((f) => f.direction === 'toSite' && f.site === specific);
    const devicesOf = () =>
      new Set(toSpecific.map((f) => live.dataplane.pathOf(f.id)?.signature.split('>')[1]?.split('@')[0]));
    expect(toSpecific.length).toBeGreaterThan(0);
    const before = devicesOf();
    live.apply({ at: 0, device: deviceB, action: 'fail' });
    live.advance(300_000);
    const during = devicesOf();
    live.apply({ at: 0, device: deviceB, action: 'recover' });
    live.advance(300_000);
    const after = devicesOf();
    expect(
      [...before].every((lc) =>
        lc?.startsWith(overlapping.vpnSites[1]?.devices[0]?.vpnSiteLinks[0]?.name ?? '?'),
      ),
    ).toBe(true);
    expect(
      [...during].every((lc) =>
        lc?.startsWith(overlapping.vpnSites[0]?.devices[0]?.vpnSiteLinks[0]?.name ?? '?'),
      ),
    ).toBe(true);
    expect(after).toEqual(before);
  });
});

describe('an internet path failure', () => {
  it('is noticed by DPD on both ends (ESP stops with the path), then the LAN moves to the other device', () => {
    const { result } = run(example('static-single-two-devices'), [
      'down link branch1-a-isp1 at 1m',
      'up link branch1-a-isp1 at 5m',
    ]);
    // Azure's DPD declares the tunnel dead 45 s (dpdTimeoutSeconds) after ESP stopped, and the hub's static
    // route through it goes; the device's DPD likewise, then the LAN stops using a device with no route
    // after its detection delay (3 s, VRRP with uplink tracking).
    expect(result.summary.toSite.worstOutageMs).toBe(45_000);
    expect(result.summary.toAzure.worstOutageMs).toBe(48_000);
    expect(result.summary.toSite.shareHit).toBeLessThan(0.7);
  });
});
