/**
 * Read-only views over a loaded Topology that later layers (gateway, site,
 * scenario, report) would otherwise each recompute: link connections resolved to
 * their site, device and link, and the one-line summary. Platform-free.
 */
import type { InstanceId } from './azure-defaults.ts';
import type {
  Topology,
  VpnConnection,
  VpnLinkConnection,
  VpnSite,
  VpnSiteDevice,
  VpnSiteLink,
} from './schema.ts';

export interface ResolvedLinkConnection {
  readonly connection: VpnConnection;
  readonly linkConnection: VpnLinkConnection;
  readonly site: VpnSite;
  readonly device: VpnSiteDevice;
  readonly link: VpnSiteLink;
  /** One tunnel per instance, from the link's public IP to that instance's public IP. */
  readonly instances: readonly InstanceId[];
  /**
   * Prefixes the hub routes statically over this link connection: the site's
   * addressSpace (Azure routes it to the site whether or not BGP is on) plus, when
   * BGP is off, the link connection's staticRoutes.
   */
  readonly staticPrefixes: readonly string[];
}

/** Every link connection with what it refers to, in file order. Assumes a validated topology. */
export function resolveLinkConnections(topology: Topology): ResolvedLinkConnection[] {
  const resolved: ResolvedLinkConnection[] = [];
  for (const connection of topology.vpnConnections) {
    const site = topology.vpnSites.find((candidate) => candidate.name === connection.remoteVpnSite);
    if (site === undefined) continue;
    for (const linkConnection of connection.vpnLinkConnections) {
      for (const device of site.devices) {
        const link = device.vpnSiteLinks.find((candidate) => candidate.name === linkConnection.vpnSiteLink);
        if (link === undefined) continue;
        const extra = linkConnection.enableBgp ? [] : linkConnection.staticRoutes;
        resolved.push({
          connection,
          linkConnection,
          site,
          device,
          link,
          instances: linkConnection.instances,
          staticPrefixes: [...new Set([...site.addressSpace, ...extra])],
        });
        break;
      }
    }
  }
  return resolved;
}

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `hub hub-weu, 2 instances, 1 site (1 device, 1 link), 2 tunnels, BGP on 1 link connection`. */
export function summarizeTopology(topology: Topology): string {
  const resolved = resolveLinkConnections(topology);
  const devices = topology.vpnSites.reduce((sum, site) => sum + site.devices.length, 0);
  const links = topology.vpnSites.reduce(
    (sum, site) => sum + site.devices.reduce((inner, device) => inner + device.vpnSiteLinks.length, 0),
    0,
  );
  const tunnels = resolved.reduce((sum, entry) => sum + entry.instances.length, 0);
  const bgp = resolved.filter((entry) => entry.linkConnection.enableBgp).length;
  const routing: string[] = [];
  if (bgp > 0) routing.push(`BGP on ${count(bgp, 'link connection')}`);
  if (resolved.length - bgp > 0) routing.push(`static on ${count(resolved.length - bgp, 'link connection')}`);
  return [
    `hub ${topology.virtualHub.name}`,
    count(topology.vpnGateway.instances.length, 'instance'),
    `${count(topology.vpnSites.length, 'site')} (${count(devices, 'device')}, ${count(links, 'link')})`,
    count(tunnels, 'tunnel'),
    ...routing,
  ].join(', ');
}
