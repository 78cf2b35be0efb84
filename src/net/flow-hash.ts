/**
 * Per-flow ECMP hashing. Azure and every router we model keep a single TCP/UDP
 * flow on one path ("a single TCP/UDP flow stays on one tunnel", VPN Gateway
 * active-active docs) by hashing its 5-tuple. We use rendezvous (highest random
 * weight) hashing over the candidate next hops: a flow keeps its next hop while
 * that next hop stays in the set, only the flows of a removed next hop move, and
 * when it returns exactly the flows that preferred it move back — the behaviour
 * the seed describes for failover and failback, and the cheapest to recompute.
 */

export interface FiveTuple {
  readonly srcIp: number;
  readonly dstIp: number;
  readonly protocol: number;
  readonly srcPort: number;
  readonly dstPort: number;
}

/** murmur3's 32-bit finaliser: cheap, and every input bit affects every output bit. */
export function mix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

export function hashFiveTuple(t: FiveTuple): number {
  let h = mix32(t.srcIp ^ 0x9e3779b9);
  h = mix32(h ^ t.dstIp);
  h = mix32(h ^ ((t.protocol << 16) | (t.srcPort & 0xffff)));
  return mix32(h ^ (t.dstPort & 0xffff));
}

/** A stable 32-bit hash of a name (FNV-1a), for next hops and decision points. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/**
 * Picks the candidate with the highest weight hash(flow, candidate). Ties (a
 * 2^-32 event) go to the earlier candidate so the choice stays deterministic.
 * Returns -1 when there are no candidates.
 */
export function rendezvousPick(flowHash: number, candidateHashes: readonly number[]): number {
  let best = -1;
  let bestWeight = -1;
  for (let i = 0; i < candidateHashes.length; i++) {
    const weight = mix32(flowHash ^ (candidateHashes[i] as number));
    if (weight > bestWeight) {
      bestWeight = weight;
      best = i;
    }
  }
  return best;
}

/**
 * `rendezvousPick` over items that carry their own hash: no array of hashes is
 * built per decision, which matters when a million flows are re-resolved.
 */
export function rendezvousPickBy<T>(
  flowHash: number,
  items: readonly T[],
  hashOf: (item: T) => number,
): T | undefined {
  let best: T | undefined;
  let bestWeight = -1;
  for (const item of items) {
    const weight = mix32(flowHash ^ hashOf(item));
    if (weight > bestWeight) {
      bestWeight = weight;
      best = item;
    }
  }
  return best;
}
