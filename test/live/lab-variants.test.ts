/**
 * The BGP design's variants come up for real: the device's BGP address on the tunnel
 * interface (directly connected eBGP, TTL 1 across the tunnel namespaces), and APIPA
 * addresses on both sides (custom BGP addresses on the instances; the device must open).
 */
import { describe, expect, it } from 'vitest';
import { cleanupStale, findLeaks, isClean } from '../../src/live/cleanup.ts';
import { liveLabSkipReason } from '../../src/live/doctor.ts';
import { bringUpLab, runScenario } from '../../src/live/lab-run.ts';
import type { Topology } from '../../src/model/index.ts';
import { example, report, scenario } from './fixtures/lab-case.ts';

const skipReason = await liveLabSkipReason();
if (skipReason) console.warn(`[live lab] skipped: ${skipReason}`);

function withDevice(
  topology: Topology,
  change: (device: Topology['vpnSites'][number]['devices'][number]) => object,
): Topology {
  return {
    ...topology,
    vpnSites: topology.vpnSites.map((site) => ({
      ...site,
      devices: site.devices.map((device) => ({ ...device, ...change(device) })),
    })),
  } as Topology;
}

function apipa(topology: Topology): Topology {
  const custom = { IN_0: '169.254.21.1', IN_1: '169.254.22.1' } as const;
  const base = withDevice(topology, (device) => ({
    vpnSiteLinks: device.vpnSiteLinks.map((link) => ({
      ...link,
      ...(link.bgpProperties
        ? { bgpProperties: { ...link.bgpProperties, bgpPeeringAddress: '169.254.21.5' } }
        : {}),
    })),
  }));
  return {
    ...base,
    vpnGateway: {
      ...base.vpnGateway,
      instances: base.vpnGateway.instances.map((i) => ({ ...i, customBgpIpAddresses: [custom[i.id]] })),
    },
    vpnConnections: base.vpnConnections.map((c) => ({
      ...c,
      vpnLinkConnections: c.vpnLinkConnections.map((lc) => ({
        ...lc,
        vpnGatewayCustomBgpAddresses: lc.instances.map((id) => ({
          ipConfigurationId: id,
          customBgpIpAddress: custom[id],
        })),
      })),
    })),
  } as Topology;
}

const VARIANTS: readonly [string, (t: Topology) => Topology][] = [
  [
    'BGP address on the tunnel interface (bgpAddressOn: tunnel)',
    (t) => withDevice(t, () => ({ bgpAddressOn: 'tunnel' })),
  ],
  ['APIPA BGP addresses (custom on the instances, the device opens)', apipa],
];

describe.skipIf(skipReason !== undefined)('live lab: BGP design variants', () => {
  for (const [title, variant] of VARIANTS) {
    it(`${title}: both sessions Established, traffic both ways without loss`, async () => {
      await cleanupStale();
      const running = await bringUpLab(variant(example('bgp-active-active.yaml')), { timers: 'fast' });
      try {
        for (const tunnel of running.plan.tunnels) {
          const session = tunnel.session;
          if (!session) throw new Error(`${tunnel.id} has no BGP session`);
          expect(running.controller.agentEstablished(session)).toBe(true);
          expect(await running.controller.deviceBgpState(session)).toBe('Established');
        }
        const result = await runScenario(running, scenario({ name: 'steady', duration: '3s' }));
        expect(result.summary.toSite.packetsLost + result.summary.toAzure.packetsLost).toBe(0);
        report(
          `${title}: up in ${running.timings.totalMs} ms, BGP from ${running.plan.tunnels.map((t) => `${t.session?.azureAddress}↔${t.session?.deviceAddress}`).join(', ')}, 0 lost`,
        );
      } finally {
        await running.controller.stop();
        await running.lab.destroy();
      }
      expect(isClean(await findLeaks({ labId: running.lab.id }))).toBe(true);
    });
  }
});
