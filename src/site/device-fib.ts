import { parseIpv4Prefix } from '../net/ipv4.ts';
import { PrefixTrie } from '../net/lpm.ts';

/**
 * A remote VPN device's forwarding towards Azure, from what it knows: which of
 * its tunnels are up in its own view, and the routes its BGP sessions learned
 * (each through the tunnel its session runs over). The rules are the device's,
 * not Azure's:
 *   - static routes to the hub and VNet prefixes over every tunnel that is up
 *     (administrative distance 1) win over eBGP routes (20), as on every router;
 *   - a VTI-like device drops BGP routes whose tunnel interface went down when
 *     DPD declared it dead; a device without that coupling keeps them until the
 *     BGP hold timer ends the session (`keepUntilBgpHold`);
 *   - the order of the tunnels is the device's preference (primary first), for
 *     devices that do not ECMP.
 */
export interface DeviceFibInput<T> {
  readonly alive: boolean;
  readonly deadTunnelRoutes: 'withdrawOnDpd' | 'keepUntilBgpHold';
  /** Tunnels of static link connections that are up in the device's view. */
  readonly staticTunnels: readonly T[];
  /** The Azure prefixes the device has static routes for (hub and VNets). */
  readonly azurePrefixes: readonly string[];
  /** BGP Loc-RIB entries: each path with the tunnel its session runs over and whether that tunnel is up. */
  readonly bgpRoutes: Iterable<{
    readonly prefix: string;
    readonly paths: readonly { tunnel: T; tunnelUp: boolean }[];
  }>;
}

export function buildDeviceFib<T>(input: DeviceFibInput<T>): PrefixTrie<readonly T[]> {
  const fib = new PrefixTrie<readonly T[]>();
  const bgpByPrefix = new Map<string, T[]>();
  if (input.alive) {
    for (const route of input.bgpRoutes) {
      const tunnels = route.paths
        .filter((path) => input.deadTunnelRoutes === 'keepUntilBgpHold' || path.tunnelUp)
        .map((path) => path.tunnel);
      if (tunnels.length > 0) bgpByPrefix.set(route.prefix, tunnels);
    }
  }
  const azure = new Set(input.azurePrefixes);
  for (const prefix of new Set([...input.azurePrefixes, ...bgpByPrefix.keys()])) {
    const parsed = parseIpv4Prefix(prefix);
    if (!parsed.ok) continue;
    const tunnels =
      azure.has(prefix) && input.staticTunnels.length > 0
        ? input.staticTunnels
        : (bgpByPrefix.get(prefix) ?? []);
    if (tunnels.length > 0) fib.set(parsed.value.address, parsed.value.length, tunnels);
  }
  return fib;
}
