/**
 * The virtual hub's routing in the live lab, worked out the way the simulator's world
 * does it (scenario/world.ts offersOf and recomputeHub), from what the lab observes
 * for real: the routes each instance's BGP agent learned, which Azure-side tunnels
 * charon reports established, who holds each public IP, and the gateway controller's
 * view of each instance. Pure; the lab controller turns the result into kernel routes.
 */
import type { InstanceState } from '../gateway/controller.ts';
import { type HubRoute, type HubRouteCandidate, selectHubRoute } from '../gateway/hub-routes.ts';
import type { InstanceId } from '../model/azure-defaults.ts';
import { INSTANCES, type LabPlan } from './lab-plan.ts';

/** One (prefix, tunnel) an instance can forward into, as the hub sees it. */
export interface HubOffer {
  readonly prefix: string;
  readonly tunnel: string;
  readonly site: string;
  readonly source: 'static' | 'bgp';
  readonly asPathLength: number;
}

/** What an instance's BGP agent has learned: per neighbour (device BGP address), prefix → AS-path length. */
export type AgentRib = ReadonlyMap<string, ReadonlyMap<string, number>>;

export interface RoutingFacts {
  readonly ownerOf: (ip: string) => InstanceId | null;
  /** The Azure end of the tunnel (on whichever instance holds its IP) has an installed CHILD_SA. */
  readonly azureUp: (tunnelId: string) => boolean;
  readonly rib: (instance: InstanceId) => AgentRib;
}

/** Static prefixes and BGP-learned routes over the tunnels an instance terminates (World.offersOf). */
export function offersOf(plan: LabPlan, instance: InstanceId, facts: RoutingFacts): HubOffer[] {
  const offers: HubOffer[] = [];
  for (const tunnel of plan.tunnels) {
    if (facts.ownerOf(tunnel.azureIp) !== instance || !facts.azureUp(tunnel.id)) continue;
    for (const prefix of tunnel.staticPrefixes) {
      offers.push({ prefix, tunnel: tunnel.id, site: tunnel.location, source: 'static', asPathLength: 0 });
    }
  }
  for (const [neighbor, routes] of facts.rib(instance)) {
    const tunnel = plan.tunnels.find(
      (t) => t.session?.instance === instance && t.session.deviceAddress === neighbor,
    );
    if (!tunnel || facts.ownerOf(tunnel.azureIp) !== instance || !facts.azureUp(tunnel.id)) continue;
    for (const [prefix, asPathLength] of routes) {
      offers.push({ prefix, tunnel: tunnel.id, site: tunnel.location, source: 'bgp', asPathLength });
    }
  }
  return offers;
}

export interface InstanceView {
  readonly state: InstanceState;
  readonly hubUsable: boolean;
  /** Frozen while the instance is dead but not yet detected (its last offers). */
  readonly offers: readonly HubOffer[];
}

/**
 * The hub's route per prefix (World.recomputeHub): usable instances' offers first; a
 * draining instance still forwards where it is the only way (a single tunnel carries on
 * until its IP moves).
 */
export function hubRoutes(views: Readonly<Record<InstanceId, InstanceView>>): Map<string, HubRoute> {
  const preferred = new Map<string, HubRouteCandidate[]>();
  const fallback = new Map<string, HubRouteCandidate[]>();
  for (const id of INSTANCES) {
    const view = views[id];
    const table = view.hubUsable ? preferred : view.state === 'draining' ? fallback : undefined;
    if (!table) continue;
    for (const offer of view.offers) {
      const list = table.get(offer.prefix) ?? [];
      list.push({ instance: id, ...offer });
      table.set(offer.prefix, list);
    }
  }
  const candidates = new Map(preferred);
  for (const [prefix, list] of fallback) if (!candidates.has(prefix)) candidates.set(prefix, list);
  const routes = new Map<string, HubRoute>();
  for (const [prefix, list] of candidates) {
    const route = selectHubRoute(list);
    if (route) routes.set(prefix, route);
  }
  return routes;
}

/** Next hops, as kernel routes: the hub's per prefix (instances), each instance's per prefix (tunnels). */
export interface ForwardingPlan {
  /** prefix → instances the hub router spreads it over. */
  readonly hub: ReadonlyMap<string, readonly InstanceId[]>;
  /** instance → prefix → tunnel ids it spreads it over. */
  readonly instances: Readonly<Record<InstanceId, ReadonlyMap<string, readonly string[]>>>;
}

export function forwardingPlan(
  routes: ReadonlyMap<string, HubRoute>,
  views: Readonly<Record<InstanceId, InstanceView>>,
): ForwardingPlan {
  const hub = new Map<string, readonly InstanceId[]>();
  const instances: Record<InstanceId, Map<string, readonly string[]>> = { IN_0: new Map(), IN_1: new Map() };
  for (const [prefix, route] of routes) {
    hub.set(prefix, route.instances);
    for (const [instance, tunnels] of route.tunnelsByInstance) instances[instance].set(prefix, tunnels);
  }
  // An instance the hub does not choose for a prefix still forwards what reaches it over its own tunnels.
  for (const id of INSTANCES) {
    const byPrefix = new Map<string, string[]>();
    for (const offer of views[id].offers) {
      if (instances[id].has(offer.prefix)) continue;
      const list = byPrefix.get(offer.prefix) ?? [];
      if (!list.includes(offer.tunnel)) list.push(offer.tunnel);
      byPrefix.set(offer.prefix, list);
    }
    for (const [prefix, tunnels] of byPrefix) instances[id].set(prefix, tunnels.sort());
  }
  return { hub, instances };
}
