import type { FiveTuple } from '../net/flow-hash.ts';

/** Azure→site is what the hub's ECMP decides; site→Azure is what the remote device decides. */
export type Direction = 'toSite' | 'toAzure';

export interface FlowSpec {
  readonly id: number;
  readonly direction: Direction;
  readonly tuple: FiveTuple;
  /** Precomputed hashFiveTuple(tuple): every ECMP decision starts from it. */
  readonly hash: number;
  readonly ratePps: number;
  /** When the flow's first packet leaves, within its first packet interval. */
  readonly phaseMs: number;
  readonly vnet: string;
  readonly site: string;
}

/**
 * Where a flow's packets go right now, as the world resolves it. `viable` means
 * every element on the path forwards (instances and devices alive, internet path
 * up, the tunnel's SA established at both ends and the same SA).
 */
export interface ResolvedPath {
  readonly viable: boolean;
  /** Stable identity of the path, e.g. "IN_0>branch1-isp1@IN_0"; '' when there is no route. */
  readonly signature: string;
  /** The IPsec tunnel carrying the flow, and which establishment of it (rekeys keep the generation). */
  readonly tunnel?: { readonly id: string; readonly generation: number };
  /** The elements the packets cross: the dataplane re-resolves a flow when one of them changes. */
  readonly elements: readonly string[];
}
