import { compareIpv4 } from './identifier.ts';
import type { BgpUpdate, Origin, PathAttributes } from './messages.ts';

/**
 * Adj-RIB-In per neighbour and the Loc-RIB built from them by the decision
 * process of RFC 4271 §9.1, with ECMP multipath. Knows nothing of sessions or
 * bytes: the caller feeds it the UPDATEs a peer reported and tells it when a
 * session went down, and programs forwarding from the route changes it returns.
 *
 * Scope: IPv4 unicast; no import policy beyond the default LOCAL_PREF for eBGP
 * routes; every NEXT_HOP is taken as resolvable with equal IGP cost (§9.1.2.2 e
 * is a tie for all routes), no route reflection or confederations.
 */

/** The neighbour a route was learned from: what the decision process compares about it. */
export interface RibPeer {
  /** Unique key of the neighbour in this RIB (e.g. its address plus a VRF name). */
  readonly key: string;
  /** Peer address, the last tie-break (§9.1.2.2 g). */
  readonly address: string;
  /** The neighbour's BGP Identifier (§9.1.2.2 f). */
  readonly bgpId: string;
  readonly asn: number;
}

export interface RibOptions {
  readonly localAsn: number;
  /**
   * Degree of preference for eBGP-learned routes (§9.1.1), which carry no usable
   * LOCAL_PREF (§5.1.5: it MUST be ignored when received from an external peer).
   * Default 100, the value FRR, GoBGP and Cisco assign.
   */
  readonly defaultLocalPref?: number;
  /** Paths installed per prefix (ECMP). Default 1: a single best path, as RFC 4271 describes. */
  readonly maxPaths?: number;
  /**
   * FRR's `bgp bestpath as-path multipath-relax`: when false (FRR's default), paths
   * are multipath candidates only if their AS_PATHs are identical, not just equally
   * long. Default false.
   */
  readonly multipathRelax?: boolean;
}

export interface Route {
  readonly prefix: string;
  readonly peer: RibPeer;
  readonly attributes: PathAttributes;
  readonly nextHop: string;
  /** Derived once at insertion for the decision process. */
  readonly localPref: number;
  readonly asPathLength: number;
  readonly originRank: number;
  /** A missing MULTI_EXIT_DISC counts as 0, the lowest possible value (§9.1.2.2 c). */
  readonly med: number;
  readonly neighborAs: number;
  readonly ebgp: boolean;
  /** AS_PATH as text, for the identical-path multipath rule. */
  readonly asPathKey: string;
}

export interface LocRibEntry {
  readonly prefix: string;
  /** The single best route (§9.1.2). */
  readonly best: Route;
  /** The routes installed for forwarding, best first; `best` alone without multipath. */
  readonly paths: readonly Route[];
  /** Distinct next hops of `paths`, sorted: the ECMP set to program. */
  readonly nextHops: readonly string[];
}

/**
 * A Loc-RIB entry appeared, went, or changed (best route, attributes or multipath
 * set). Callers that only program forwarding can skip changes whose next-hop sets
 * are equal.
 */
export interface RouteChange {
  readonly prefix: string;
  readonly oldNextHops: readonly string[];
  readonly newNextHops: readonly string[];
  /** The new entry; undefined when the prefix is gone from the Loc-RIB. */
  readonly entry: LocRibEntry | undefined;
}

const ORIGIN_RANK: Record<Origin, number> = { igp: 0, egp: 1, incomplete: 2 };

export class Rib {
  private readonly localAsn: number;
  private readonly defaultLocalPref: number;
  private readonly maxPaths: number;
  private readonly multipathRelax: boolean;
  /** Adj-RIB-In: per neighbour, prefix → the route as received (including ones the loop check excludes). */
  private readonly adjRibIn = new Map<string, Map<string, Route>>();
  /** Per prefix, the eligible routes by neighbour: the decision process's input. */
  private readonly candidates = new Map<string, Map<string, Route>>();
  private readonly locRib = new Map<string, LocRibEntry>();
  private decisions = 0;

  constructor(options: RibOptions) {
    this.localAsn = options.localAsn;
    this.defaultLocalPref = options.defaultLocalPref ?? 100;
    this.maxPaths = options.maxPaths ?? 1;
    this.multipathRelax = options.multipathRelax ?? false;
    if (!(Number.isInteger(this.maxPaths) && this.maxPaths >= 1)) {
      throw new RangeError(`maxPaths ${this.maxPaths} must be an integer >= 1`);
    }
  }

  /**
   * Applies one UPDATE from `peer`: withdrawals first, then announcements (an
   * announcement implicitly replaces the neighbour's previous route for the
   * prefix, §3.1). Returns the Loc-RIB changes, one per prefix at most.
   */
  applyUpdate(peer: RibPeer, update: BgpUpdate): RouteChange[] {
    let table = this.adjRibIn.get(peer.key);
    if (!table) {
      table = new Map();
      this.adjRibIn.set(peer.key, table);
    }
    const touched = new Map<string, LocRibEntry | undefined>();
    const touch = (prefix: string) => {
      if (!touched.has(prefix)) touched.set(prefix, this.locRib.get(prefix));
    };
    for (const prefix of update.withdrawn) {
      if (!table.delete(prefix)) continue;
      touch(prefix);
      this.removeCandidate(prefix, peer.key);
    }
    for (const prefix of update.nlri) {
      const route = this.makeRoute(prefix, peer, update.attributes);
      touch(prefix);
      table.set(prefix, route);
      if (this.eligible(route)) this.addCandidate(route);
      else this.removeCandidate(prefix, peer.key);
    }
    if (table.size === 0) this.adjRibIn.delete(peer.key);
    return this.decide(touched);
  }

  /**
   * The session with `peerKey` went down: all its routes go (RFC 4271 §8.2.2,
   * "deletes all routes associated with this connection"). Costs O(routes of that
   * neighbour × neighbours per prefix), never a walk over the whole table.
   */
  withdrawPeer(peerKey: string): RouteChange[] {
    const table = this.adjRibIn.get(peerKey);
    if (!table) return [];
    this.adjRibIn.delete(peerKey);
    const touched = new Map<string, LocRibEntry | undefined>();
    for (const prefix of table.keys()) {
      touched.set(prefix, this.locRib.get(prefix));
      this.removeCandidate(prefix, peerKey);
    }
    return this.decide(touched);
  }

  get(prefix: string): LocRibEntry | undefined {
    return this.locRib.get(prefix);
  }

  /** The Loc-RIB, in insertion order of prefixes. */
  entries(): IterableIterator<LocRibEntry> {
    return this.locRib.values();
  }

  get size(): number {
    return this.locRib.size;
  }

  /** Per-prefix decision runs so far: the RIB's work counter (benchmarks, and the cost tests). */
  get decisionsRun(): number {
    return this.decisions;
  }

  /** Routes received from `peerKey`, as received (RFC 4271 §3.2 Adj-RIB-In). */
  adjRibInOf(peerKey: string): ReadonlyMap<string, Route> {
    return this.adjRibIn.get(peerKey) ?? new Map();
  }

  private makeRoute(prefix: string, peer: RibPeer, attributes: PathAttributes): Route {
    const asPath = attributes.asPath ?? [];
    let asPathLength = 0;
    for (const segment of asPath) asPathLength += segment.type === 'set' ? 1 : segment.asns.length;
    const first = asPath[0];
    const ebgp = peer.asn !== this.localAsn;
    return {
      prefix,
      peer,
      attributes,
      nextHop: attributes.nextHop ?? '',
      // §5.1.5: LOCAL_PREF from an external peer is ignored; an internal one sends it (default if absent).
      localPref: ebgp ? this.defaultLocalPref : (attributes.localPref ?? this.defaultLocalPref),
      asPathLength,
      // The codec refuses an UPDATE with NLRI but no ORIGIN (§6.3); "incomplete" is the least-preferred guess.
      originRank: ORIGIN_RANK[attributes.origin ?? 'incomplete'],
      med: attributes.med ?? 0,
      // §9.1.2.2: the neighbour AS is the first AS of the path; a path that is empty or
      // starts with an AS_SET was originated (or aggregated) in our own AS.
      neighborAs:
        first && first.type === 'sequence' && first.asns.length > 0
          ? (first.asns[0] as number)
          : this.localAsn,
      ebgp,
      asPathKey: asPath
        .map((s) =>
          s.type === 'set' ? `{${[...s.asns].sort((a, b) => a - b).join(',')}}` : s.asns.join(' '),
        )
        .join(' '),
    };
  }

  /**
   * §9.1.2: a route whose AS_PATH contains our own AS is a loop and is excluded from
   * the decision (it stays in Adj-RIB-In). A route without NEXT_HOP cannot be
   * forwarded on, so it is excluded as unresolvable (§9.1.2 "next hop unresolvable").
   */
  private eligible(route: Route): boolean {
    if (route.nextHop === '') return false;
    for (const segment of route.attributes.asPath ?? []) {
      if (segment.asns.includes(this.localAsn)) return false;
    }
    return true;
  }

  private addCandidate(route: Route): void {
    let byPeer = this.candidates.get(route.prefix);
    if (!byPeer) {
      byPeer = new Map();
      this.candidates.set(route.prefix, byPeer);
    }
    byPeer.set(route.peer.key, route);
  }

  private removeCandidate(prefix: string, peerKey: string): void {
    const byPeer = this.candidates.get(prefix);
    if (!byPeer) return;
    byPeer.delete(peerKey);
    if (byPeer.size === 0) this.candidates.delete(prefix);
  }

  private decide(touched: Map<string, LocRibEntry | undefined>): RouteChange[] {
    const changes: RouteChange[] = [];
    for (const [prefix, before] of touched) {
      this.decisions++;
      const byPeer = this.candidates.get(prefix);
      const after = byPeer ? this.select(prefix, [...byPeer.values()]) : undefined;
      if (after) this.locRib.set(prefix, after);
      else this.locRib.delete(prefix);
      if (sameEntry(before, after)) continue;
      changes.push({
        prefix,
        oldNextHops: before?.nextHops ?? [],
        newNextHops: after?.nextHops ?? [],
        entry: after,
      });
    }
    return changes;
  }

  /**
   * The decision process (§9.1.2.2), as successive eliminations so the result is
   * independent of arrival order:
   *   1. highest degree of preference (LOCAL_PREF, §9.1.1),
   *   2. shortest AS_PATH (an AS_SET counts 1),
   *   3. lowest ORIGIN (IGP < EGP < INCOMPLETE),
   *   4. lowest MED, compared only among routes from the same neighbour AS (c),
   *   5. eBGP-learned over iBGP-learned (d),
   *   (e. IGP cost to the next hop: equal for all in this model),
   *   6. lowest BGP Identifier of the advertising neighbour (f),
   *   7. lowest peer address (g); the RIB key settles the rest deterministically.
   * The multipath set is what survives 1-5 (the "equal-cost" criteria FRR and GoBGP
   * use), restricted, unless multipathRelax, to AS_PATHs identical to the best's,
   * ordered by 6-7 and cut at maxPaths. One route per neighbour by construction,
   * so the paths come from different neighbours.
   */
  private select(prefix: string, routes: Route[]): LocRibEntry | undefined {
    let survivors = keepBest(routes, (r) => r.localPref, 'max');
    survivors = keepBest(survivors, (r) => r.asPathLength, 'min');
    survivors = keepBest(survivors, (r) => r.originRank, 'min');
    survivors = survivors.filter(
      (r) => !survivors.some((other) => other.neighborAs === r.neighborAs && other.med < r.med),
    );
    if (survivors.some((r) => r.ebgp)) survivors = survivors.filter((r) => r.ebgp);
    survivors.sort(tieBreak);
    const best = survivors[0];
    if (!best) return undefined;
    const equal = this.multipathRelax ? survivors : survivors.filter((r) => r.asPathKey === best.asPathKey);
    const paths = equal.slice(0, this.maxPaths);
    const nextHops = [...new Set(paths.map((r) => r.nextHop))].sort(compareIpv4);
    return { prefix, best, paths, nextHops };
  }
}

function keepBest(routes: Route[], metric: (r: Route) => number, want: 'min' | 'max'): Route[] {
  let target = want === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  for (const r of routes) {
    const value = metric(r);
    if (want === 'min' ? value < target : value > target) target = value;
  }
  return routes.filter((r) => metric(r) === target);
}

function tieBreak(a: Route, b: Route): number {
  return (
    compareIpv4(a.peer.bgpId, b.peer.bgpId) ||
    compareIpv4(a.peer.address, b.peer.address) ||
    (a.peer.key < b.peer.key ? -1 : a.peer.key > b.peer.key ? 1 : 0)
  );
}

function sameEntry(a: LocRibEntry | undefined, b: LocRibEntry | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (!sameRoute(a.best, b.best) || a.paths.length !== b.paths.length) return false;
  return a.paths.every((route, i) => {
    const other = b.paths[i];
    return other !== undefined && sameRoute(route, other);
  });
}

/** A re-announcement with identical attributes is not a change (neighbours do repeat themselves). */
function sameRoute(a: Route, b: Route): boolean {
  if (a === b) return true;
  if (a.peer.key !== b.peer.key || a.peer.bgpId !== b.peer.bgpId || a.peer.address !== b.peer.address)
    return false;
  const x = a.attributes;
  const y = b.attributes;
  return (
    x.origin === y.origin &&
    x.nextHop === y.nextHop &&
    x.med === y.med &&
    x.localPref === y.localPref &&
    x.atomicAggregate === y.atomicAggregate &&
    x.aggregator?.asn === y.aggregator?.asn &&
    x.aggregator?.address === y.aggregator?.address &&
    sameList(
      x.asPath ?? [],
      y.asPath ?? [],
      (s, t) => s.type === t.type && sameList(s.asns, t.asns, Object.is),
    ) &&
    sameList(x.communities ?? [], y.communities ?? [], Object.is) &&
    sameList(
      x.unknown ?? [],
      y.unknown ?? [],
      (s, t) => s.flags === t.flags && s.typeCode === t.typeCode && sameList(s.value, t.value, Object.is),
    )
  );
}

function sameList<T>(a: ArrayLike<T>, b: ArrayLike<T>, same: (x: T, y: T) => boolean): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!same(a[i] as T, b[i] as T)) return false;
  return true;
}
