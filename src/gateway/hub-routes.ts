/**
 * The virtual hub's choice among routes to a site prefix, as Azure documents it
 * (learn.microsoft.com/azure/virtual-wan/about-virtual-hub-routing-preference):
 * longest prefix match first (the caller's trie does that), then static over
 * BGP-learned, then the hub routing preference — all our routes are VPN routes,
 * so with the VPN or AS-path preference the shorter AS path wins — then ECMP
 * across whatever is still equal.
 *
 * One candidate is "instance X can forward this prefix into tunnel T". The result
 * keeps, per instance, the tunnels still in the running, so the instance can ECMP
 * across devices (diversity) exactly as the hub ECMPs across instances.
 */
export type InstanceId = 'IN_0' | 'IN_1';

export interface HubRouteCandidate {
  readonly instance: InstanceId;
  readonly tunnel: string;
  readonly site: string;
  readonly source: 'static' | 'bgp';
  /** AS_PATH length as the hub compares it (0 for static routes). */
  readonly asPathLength: number;
}

export interface HubRoute {
  readonly source: 'static' | 'bgp';
  readonly asPathLength: number;
  /** Next-hop instances, sorted, for the hub's ECMP. */
  readonly instances: readonly InstanceId[];
  /** Per instance, the tunnels it spreads this prefix over (sorted). */
  readonly tunnelsByInstance: ReadonlyMap<InstanceId, readonly string[]>;
  readonly sites: readonly string[];
}

export function selectHubRoute(candidates: readonly HubRouteCandidate[]): HubRoute | undefined {
  if (candidates.length === 0) return undefined;
  const hasStatic = candidates.some((c) => c.source === 'static');
  const sameSource = candidates.filter((c) => c.source === (hasStatic ? 'static' : 'bgp'));
  const shortest = Math.min(...sameSource.map((c) => c.asPathLength));
  const best = sameSource.filter((c) => c.asPathLength === shortest);
  const tunnelsByInstance = new Map<InstanceId, string[]>();
  for (const c of best) {
    const list = tunnelsByInstance.get(c.instance);
    if (list) {
      if (!list.includes(c.tunnel)) list.push(c.tunnel);
    } else tunnelsByInstance.set(c.instance, [c.tunnel]);
  }
  for (const list of tunnelsByInstance.values()) list.sort();
  return {
    source: hasStatic ? 'static' : 'bgp',
    asPathLength: shortest,
    instances: [...tunnelsByInstance.keys()].sort(),
    tunnelsByInstance,
    sites: [...new Set(best.map((c) => c.site))].sort(),
  };
}
