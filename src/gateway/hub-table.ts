import type { InstanceId } from '../model/azure-defaults.ts';
import { type HubRoute, type HubRouteCandidate, selectHubRoute } from './hub-routes.ts';

/**
 * The hub's route table, kept incrementally: each tunnel offers prefixes (through
 * the instance that carries it now), each instance is usable, draining (used only
 * where nothing else is) or neither, and only the prefixes touched since the last
 * commit are chosen again. A hub with 1,000 sites and 10,000 prefixes changes a
 * handful of prefixes per event, not all of them.
 */
export interface HubOffer extends HubRouteCandidate {
  readonly prefix: string;
}

export interface InstanceView {
  /** The hub sends traffic to it (platform health, not in maintenance). */
  readonly usable: boolean;
  /** In planned maintenance but still forwarding: a last resort. */
  readonly draining: boolean;
}

export interface HubChange {
  readonly prefix: string;
  readonly route: HubRoute | undefined;
}

export class HubTable {
  private readonly candidates = new Map<string, Map<string, HubOffer>>();
  private readonly offersByTunnel = new Map<string, readonly HubOffer[]>();
  private readonly selected = new Map<string, { route: HubRoute; signature: string }>();
  private readonly touched = new Set<string>();
  private readonly views: Record<InstanceId, InstanceView> = {
    IN_0: { usable: true, draining: false },
    IN_1: { usable: true, draining: false },
  };

  /** Replaces everything `tunnel` offers. */
  setTunnelOffers(tunnel: string, offers: readonly HubOffer[]): void {
    for (const old of this.offersByTunnel.get(tunnel) ?? []) {
      const forPrefix = this.candidates.get(old.prefix);
      forPrefix?.delete(`${tunnel}|${old.source}`);
      if (forPrefix?.size === 0) this.candidates.delete(old.prefix);
      this.touched.add(old.prefix);
    }
    for (const offer of offers) {
      let forPrefix = this.candidates.get(offer.prefix);
      if (!forPrefix) {
        forPrefix = new Map();
        this.candidates.set(offer.prefix, forPrefix);
      }
      // One tunnel may carry a prefix both ways: Azure routes a site's addressSpace statically even with BGP on.
      forPrefix.set(`${tunnel}|${offer.source}`, offer);
      this.touched.add(offer.prefix);
    }
    if (offers.length > 0) this.offersByTunnel.set(tunnel, offers);
    else this.offersByTunnel.delete(tunnel);
  }

  offersOf(tunnel: string): readonly HubOffer[] {
    return this.offersByTunnel.get(tunnel) ?? [];
  }

  setInstanceView(instance: InstanceId, view: InstanceView): void {
    const old = this.views[instance];
    if (old.usable === view.usable && old.draining === view.draining) return;
    this.views[instance] = view;
    // Rare (a failure or a recovery): every prefix with a candidate on that instance is chosen again.
    for (const [prefix, forPrefix] of this.candidates) {
      for (const offer of forPrefix.values()) {
        if (offer.instance === instance) {
          this.touched.add(prefix);
          break;
        }
      }
    }
  }

  /** Chooses again every touched prefix; returns those whose route changed. */
  commit(): HubChange[] {
    const changes: HubChange[] = [];
    for (const prefix of [...this.touched].sort()) {
      const route = this.choose(prefix);
      const signature = route ? routeSignature(route) : '';
      const before = this.selected.get(prefix);
      if ((before?.signature ?? '') === signature) continue;
      if (route) this.selected.set(prefix, { route, signature });
      else this.selected.delete(prefix);
      changes.push({ prefix, route });
    }
    this.touched.clear();
    return changes;
  }

  route(prefix: string): HubRoute | undefined {
    return this.selected.get(prefix)?.route;
  }

  private choose(prefix: string): HubRoute | undefined {
    const offers = [...(this.candidates.get(prefix)?.values() ?? [])];
    const preferred = offers.filter((o) => this.views[o.instance].usable);
    const fallback = offers.filter((o) => !this.views[o.instance].usable && this.views[o.instance].draining);
    return selectHubRoute(preferred.length > 0 ? preferred : fallback);
  }
}

function routeSignature(route: HubRoute): string {
  return `${route.source}/${route.asPathLength}/${route.instances
    .map((i) => `${i}:${(route.tunnelsByInstance.get(i) ?? []).join(',')}`)
    .join(';')}`;
}
