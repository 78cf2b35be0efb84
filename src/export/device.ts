/**
 * One remote VPN device of a topology, as the configuration generators need it: its
 * tunnels (one per link connection × instance it terminates on: local = the link's
 * ipAddress, remote = the instance's tunnelIpAddress), its BGP sessions (one per
 * tunnel with BGP, to that instance's default BGP address or the custom APIPA one the
 * link connection names, AS 65515), the prefixes it routes statically, and the names
 * the generated files share (connection, interface, XFRM if_id). Platform-free.
 */
import {
  AZURE,
  type ConnectionMode,
  type InstanceId,
  resolveLinkConnections,
  type Topology,
  type VpnLinkConnection,
  type VpnSite,
  type VpnSiteDevice,
  type VpnSiteLink,
} from '../model/index.ts';
import { ipv4, isApipa } from '../net/ipv4.ts';
import {
  type BgpTimerPlan,
  bgpTimers,
  type DpdPlan,
  dpdPlan,
  type LifetimePlan,
  lifetimes,
} from './timing.ts';

export type ExportFormat = 'strongswan-bird' | 'strongswan-frr';
export type ExportProfile = 'azure' | 'lab';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['strongswan-bird', 'strongswan-frr'];
export const EXPORT_PROFILES: readonly ExportProfile[] = ['azure', 'lab'];

export interface BgpSessionPlan {
  /** BIRD protocol name: letters, digits and underscores. */
  readonly protocolName: string;
  /** The device's BGP address (the link's bgpPeeringAddress). */
  readonly localAddress: string;
  readonly localAsn: number;
  /** Azure's BGP address on this tunnel's instance. */
  readonly peerAddress: string;
  readonly peerAsn: number;
  /** The peer address is a custom APIPA one the link connection names. */
  readonly customPeerAddress: boolean;
  /** The device's address is APIPA: Azure does not open the session, the device must. */
  readonly deviceMustOpen: boolean;
}

export interface TunnelPlan {
  /** 1-based; also the XFRM interface id. */
  readonly index: number;
  /** swanctl connection and child name. */
  readonly name: string;
  /** The tunnel's network interface (XFRM for the azure profile). */
  readonly interfaceName: string;
  readonly instance: InstanceId;
  readonly linkIndex: number;
  readonly link: VpnSiteLink;
  readonly linkConnection: VpnLinkConnection;
  readonly connectionName: string;
  readonly localAddress: string;
  readonly remoteAddress: string;
  readonly dpdTimeoutSeconds: number;
  readonly dpdDelaySeconds: number;
  readonly lifetimes: LifetimePlan;
  readonly bgp?: BgpSessionPlan;
  /** An env var name for this tunnel's pre-shared key placeholder. */
  readonly pskVariable: string;
}

export interface DevicePlan {
  readonly site: VpnSite;
  readonly device: VpnSiteDevice;
  readonly hubName: string;
  readonly tunnels: readonly TunnelPlan[];
  /** Tunnels of link connections with BGP off: static routes go over them. */
  readonly staticTunnels: readonly TunnelPlan[];
  readonly bgpSessions: readonly BgpSessionPlan[];
  readonly routerId: string;
  /** The hub prefix and every vnet prefix: what the device routes into the tunnels. */
  readonly azurePrefixes: readonly string[];
  /** What the device announces over BGP. */
  readonly advertisedPrefixes: readonly string[];
  /** The device's loopback BGP addresses (bgpAddressOn: loopback). */
  readonly loopbackAddresses: readonly string[];
  readonly ecmp: boolean;
  readonly connectionMode: ConnectionMode;
  readonly bgpAddressOn: 'loopback' | 'tunnel';
  readonly deadTunnelRoutes: 'withdrawOnDpd' | 'keepUntilBgpHold';
  readonly timers: BgpTimerPlan;
  readonly dpd: DpdPlan;
}

export type PlanResult =
  | { readonly ok: true; readonly plan: DevicePlan }
  | { readonly ok: false; readonly error: string };

/** swanctl section names may not contain . , : { } = " # or spaces. */
function swanctlName(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '_');
}

function envName(text: string): string {
  return text
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

const instanceSuffix = (instance: InstanceId) => (instance === 'IN_0' ? 'in0' : 'in1');

export function planDevice(topology: Topology, siteName: string, deviceName?: string): PlanResult {
  const site = topology.vpnSites.find((candidate) => candidate.name === siteName);
  if (site === undefined) {
    const names = topology.vpnSites.map((candidate) => candidate.name).join(', ');
    return {
      ok: false,
      error: `no VPN site is named ${JSON.stringify(siteName)} (sites: ${names === '' ? 'none' : names})`,
    };
  }
  let device: VpnSiteDevice | undefined;
  if (deviceName === undefined) {
    if (site.devices.length > 1) {
      return {
        ok: false,
        error: `site ${site.name} has ${site.devices.length} devices (${site.devices.map((d) => d.name).join(', ')}); choose one with --device`,
      };
    }
    device = site.devices[0];
  } else {
    device = site.devices.find((candidate) => candidate.name === deviceName);
    if (device === undefined) {
      return {
        ok: false,
        error: `site ${site.name} has no device named ${JSON.stringify(deviceName)} (devices: ${site.devices.map((d) => d.name).join(', ')})`,
      };
    }
  }
  if (device === undefined) return { ok: false, error: `site ${site.name} has no devices` };
  const theDevice = device;

  const resolved = resolveLinkConnections(topology).filter((entry) => entry.device === theDevice);
  if (resolved.length === 0) {
    return {
      ok: false,
      error: `device ${theDevice.name} has no link connection: it builds no tunnels, so there is nothing to configure`,
    };
  }
  const dpd = dpdPlan(resolved.map((entry) => entry.linkConnection.dpdTimeoutSeconds));
  const usedNames = new Set<string>();
  const tunnels: TunnelPlan[] = [];
  for (const entry of resolved) {
    const linkIndex = theDevice.vpnSiteLinks.indexOf(entry.link) + 1;
    for (const instanceId of entry.instances) {
      const instance = topology.vpnGateway.instances.find((candidate) => candidate.id === instanceId);
      if (instance === undefined) continue;
      const index = tunnels.length + 1;
      let name = swanctlName(`${entry.linkConnection.name}-${instanceSuffix(instanceId)}`);
      if (usedNames.has(name)) name = `${name}-${index}`;
      usedNames.add(name);
      let bgp: BgpSessionPlan | undefined;
      if (entry.linkConnection.enableBgp && entry.link.bgpProperties !== undefined) {
        const custom = entry.linkConnection.vpnGatewayCustomBgpAddresses.find(
          (c) => c.ipConfigurationId === instanceId,
        );
        bgp = {
          protocolName: `azure_l${linkIndex}_${instanceSuffix(instanceId)}`,
          localAddress: entry.link.bgpProperties.bgpPeeringAddress,
          localAsn: entry.link.bgpProperties.asn,
          peerAddress: custom?.customBgpIpAddress ?? instance.defaultBgpIpAddress,
          peerAsn: topology.vpnGateway.bgpSettings.asn,
          customPeerAddress: custom !== undefined,
          deviceMustOpen: isApipa(ipv4(entry.link.bgpProperties.bgpPeeringAddress)),
        };
      }
      tunnels.push({
        index,
        name,
        interfaceName: `vwan-l${linkIndex}-${instanceSuffix(instanceId)}`,
        instance: instanceId,
        linkIndex,
        link: entry.link,
        linkConnection: entry.linkConnection,
        connectionName: entry.connection.name,
        localAddress: entry.link.ipAddress,
        remoteAddress: instance.tunnelIpAddress,
        dpdTimeoutSeconds: entry.linkConnection.dpdTimeoutSeconds,
        dpdDelaySeconds: dpd.delaySeconds.get(entry.linkConnection.dpdTimeoutSeconds) ?? 1,
        lifetimes: lifetimes(entry.linkConnection.ipsec),
        bgp,
        pskVariable: `VWAN_HA_PSK_${envName(entry.linkConnection.name)}`,
      });
    }
  }
  const bgpSessions = tunnels.flatMap((tunnel) => (tunnel.bgp === undefined ? [] : [tunnel.bgp]));
  const bgpAddresses = [...new Set(bgpSessions.map((session) => session.localAddress))];
  const azurePrefixes = [
    topology.virtualHub.addressPrefix,
    ...topology.vnets.flatMap((vnet) => vnet.addressPrefixes),
  ];
  return {
    ok: true,
    plan: {
      site,
      device: theDevice,
      hubName: topology.virtualHub.name,
      tunnels,
      staticTunnels: tunnels.filter((tunnel) => tunnel.bgp === undefined),
      bgpSessions,
      routerId:
        bgpAddresses[0] ?? tunnels[0]?.localAddress ?? theDevice.vpnSiteLinks[0]?.ipAddress ?? '0.0.0.0',
      azurePrefixes: [...new Set(azurePrefixes)],
      advertisedPrefixes: [...theDevice.advertisedPrefixes],
      loopbackAddresses: theDevice.bgpAddressOn === 'loopback' ? bgpAddresses : [],
      ecmp: theDevice.ecmp,
      connectionMode: theDevice.connectionMode,
      bgpAddressOn: theDevice.bgpAddressOn,
      deadTunnelRoutes: theDevice.deadTunnelRoutes,
      timers: bgpTimers(theDevice.bgpTimers),
      dpd,
    },
  };
}

/** Azure's BGP ASN, for comments. */
export const AZURE_ASN = AZURE.bgp.asn;
