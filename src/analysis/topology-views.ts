/**
 * What advise needs to know about a topology besides the model's own views: where
 * each device and link connection sits in the file (field paths for findings),
 * which traffic location a site belongs to, and what-if copies with one setting
 * changed (the contrast runs: "with a loopback instead", "with ECMP on"). Platform-free.
 */
import type { IssuePath } from '../model/issues.ts';
import type { Topology, VpnLinkConnection, VpnSite, VpnSiteDevice } from '../model/schema.ts';
import { type ResolvedLinkConnection, resolveLinkConnections } from '../model/views.ts';

export interface PlacedDevice {
  readonly device: VpnSiteDevice;
  readonly site: VpnSite;
  readonly path: IssuePath;
  /** Link connections (with their tunnels) that use this device's links. */
  readonly linkConnections: readonly PlacedLinkConnection[];
  readonly tunnels: number;
}

export interface PlacedLinkConnection {
  readonly resolved: ResolvedLinkConnection;
  readonly linkConnection: VpnLinkConnection;
  readonly path: IssuePath;
}

export function placeLinkConnections(topology: Topology): PlacedLinkConnection[] {
  const resolved = resolveLinkConnections(topology);
  const placed: PlacedLinkConnection[] = [];
  topology.vpnConnections.forEach((connection, c) => {
    connection.vpnLinkConnections.forEach((linkConnection, k) => {
      const entry = resolved.find((r) => r.linkConnection === linkConnection);
      if (entry)
        placed.push({
          resolved: entry,
          linkConnection,
          path: ['vpnConnections', c, 'vpnLinkConnections', k],
        });
    });
  });
  return placed;
}

export function placeDevices(topology: Topology): PlacedDevice[] {
  const linkConnections = placeLinkConnections(topology);
  const devices: PlacedDevice[] = [];
  topology.vpnSites.forEach((site, s) => {
    site.devices.forEach((device, d) => {
      const mine = linkConnections.filter((lc) => lc.resolved.device === device);
      devices.push({
        device,
        site,
        path: ['vpnSites', s, 'devices', d],
        linkConnections: mine,
        tunnels: mine.reduce((sum, lc) => sum + lc.resolved.instances.length, 0),
      });
    });
  });
  return devices;
}

/**
 * VPN site → traffic location, as the world builds them (scenario/world.ts
 * buildLocations): sites announcing the same prefixes are one place with several
 * devices, named by joining their names with "+" in file order.
 */
export function locationsOf(topology: Topology): Map<string, string> {
  const byKey = new Map<string, string[]>();
  const keyOf = new Map<string, string>();
  for (const site of topology.vpnSites) {
    const prefixes = [
      ...new Set([...site.addressSpace, ...site.devices.flatMap((d) => d.advertisedPrefixes)]),
    ].sort();
    const key = prefixes.length > 0 ? prefixes.join(',') : `\u0000${site.name}`;
    keyOf.set(site.name, key);
    const group = byKey.get(key) ?? [];
    group.push(site.name);
    byKey.set(key, group);
  }
  const locations = new Map<string, string>();
  for (const site of topology.vpnSites) {
    locations.set(site.name, (byKey.get(keyOf.get(site.name) ?? '') ?? [site.name]).join('+'));
  }
  return locations;
}

/** A copy of the topology with some devices changed. */
export function withDevices(
  topology: Topology,
  change: (device: VpnSiteDevice) => Partial<VpnSiteDevice> | undefined,
): Topology {
  return {
    ...topology,
    vpnSites: topology.vpnSites.map((site) => ({
      ...site,
      devices: site.devices.map((device) => {
        const patch = change(device);
        return patch ? { ...device, ...patch } : device;
      }),
    })),
  };
}

/** A copy of the topology with some link connections changed. */
export function withLinkConnections(
  topology: Topology,
  change: (linkConnection: VpnLinkConnection) => Partial<VpnLinkConnection> | undefined,
): Topology {
  return {
    ...topology,
    vpnConnections: topology.vpnConnections.map((connection) => ({
      ...connection,
      vpnLinkConnections: connection.vpnLinkConnections.map((lc) => {
        const patch = change(lc);
        return patch ? { ...lc, ...patch } : lc;
      }),
    })),
  };
}
