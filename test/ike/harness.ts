import type { IkeEndpointOptions } from '../../src/protocols/ike/config.ts';
import {
  SimulatedIkeTunnel,
  type TunnelRecord,
  type TunnelSide,
} from '../../src/protocols/ike/sim-tunnel.ts';
import type { IkeOutput, IkeSaId } from '../../src/protocols/ike/types.ts';
import { Simulator } from '../../src/sim/kernel.ts';
import { Rng } from '../../src/sim/rng.ts';

/**
 * Test harness: an Azure instance ("IN_0", side a) and a site device
 * ("site1/dev0", side b) on one simulated tunnel, plus queries over what the
 * endpoints reported. Options not given take the core's defaults (Azure DPD
 * timeout 45 s, strongSwan retransmission, VWAN lifetimes).
 */
export const LATENCY_MS = 20;

export interface HarnessOptions {
  readonly seed?: number;
  readonly latencyMs?: number;
  readonly a?: Partial<Omit<IkeEndpointOptions, 'name' | 'rng'>>;
  readonly b?: Partial<Omit<IkeEndpointOptions, 'name' | 'rng'>>;
  readonly trace?: boolean;
  /**
   * Report ESP as each DPD check fires, as the gateway world does for a tunnel
   * carrying traffic: seen `lagsMs[i]` ago (cycling through the list, one entry
   * per check) on the end's oldest installed CHILD SA.
   */
  readonly espAtDpd?: { readonly lagsMs: readonly number[] };
}

export interface Harness {
  readonly sim: Simulator;
  readonly tunnel: SimulatedIkeTunnel;
  readonly latencyMs: number;
}

export function makeTunnel(options: HarnessOptions = {}): Harness {
  const seed = options.seed ?? 1;
  const sim = new Simulator({ seed, trace: options.trace ?? false });
  // Each endpoint draws from its own stream, forked from the run's seed.
  const rngA = new Rng(seed).fork();
  const rngB = new Rng(seed + 7919).fork();
  const latencyMs = options.latencyMs ?? LATENCY_MS;
  const installed: Record<TunnelSide, Set<number>> = { a: new Set(), b: new Set() };
  const esp = options.espAtDpd;
  let checks = 0;
  const tunnel = new SimulatedIkeTunnel(sim, {
    a: { mode: 'Default', ...options.a, name: 'IN_0', rng: rngA },
    b: { mode: 'Default', ...options.b, name: 'site1/dev0', rng: rngB },
    oneWayLatencyMs: latencyMs,
    ...(esp
      ? {
          onOutput: (side: TunnelSide, output: TunnelRecord['output']) => {
            if (output.kind !== 'childSa') return;
            if (output.up) installed[side].add(output.childSa.inboundSpi);
            else installed[side].delete(output.childSa.inboundSpi);
          },
          inboundAtTimer: (side: TunnelSide, timer: string) => {
            const inboundSpi = installed[side].values().next().value;
            if (timer !== 'dpd' || inboundSpi === undefined) return undefined;
            const lag = esp.lagsMs[checks++ % esp.lagsMs.length] ?? 0;
            return { inboundSpi, atMs: sim.nowMs - lag };
          },
        }
      : {}),
  });
  return { sim, tunnel, latencyMs };
}

type Output = TunnelRecord['output'];
type OfKind<K extends Output['kind']> = Extract<IkeOutput, { kind: K }>;

export function outputs<K extends Output['kind']>(
  h: Harness,
  side: TunnelSide,
  kind: K,
  fromMs = 0,
): { atMs: number; output: OfKind<K> }[] {
  const found: { atMs: number; output: OfKind<K> }[] = [];
  for (const r of h.tunnel.records) {
    if (r.side === side && r.output.kind === kind && r.atMs >= fromMs) {
      found.push({ atMs: r.atMs, output: r.output as OfKind<K> });
    }
  }
  return found;
}

export function firstAt(h: Harness, side: TunnelSide, kind: Output['kind'], fromMs = 0): number | undefined {
  return outputs(h, side, kind, fromMs)[0]?.atMs;
}

/** Times at which `side` sent a message matching `match`. */
export function sentAt(
  h: Harness,
  side: TunnelSide,
  match: (m: OfKind<'send'>['message']) => boolean,
  fromMs = 0,
): number[] {
  return outputs(h, side, 'send', fromMs)
    .filter((r) => match(r.output.message))
    .map((r) => r.atMs);
}

/** Tunnel level changes of a side, as [atMs, up]. */
export function tunnelLevels(h: Harness, side: TunnelSide): [number, boolean][] {
  return outputs(h, side, 'tunnel').map((r) => [r.atMs, r.output.up]);
}

export function sameIkeSa(x: IkeSaId, y: IkeSaId): boolean {
  return x.initiatorSpi === y.initiatorSpi && x.responderSpi === y.responderSpi;
}

export function key(id: IkeSaId): string {
  return `${id.initiatorSpi}/${id.responderSpi}`;
}

/** The IKE SAs both ends consider up, as sorted keys. */
export function upSas(h: Harness, side: TunnelSide): string[] {
  return h.tunnel.endpoints[side].establishedIkeSas().map(key).sort();
}

/** CHILD SA pairs installed at both ends: a's inbound is b's outbound and vice versa. */
export function matchingChildPairs(h: Harness): number {
  const a = h.tunnel.endpoints.a.snapshot().ikeSas.flatMap((s) => s.childSas);
  const b = h.tunnel.endpoints.b.snapshot().ikeSas.flatMap((s) => s.childSas);
  return a.filter((x) => b.some((y) => y.inboundSpi === x.outboundSpi && y.outboundSpi === x.inboundSpi))
    .length;
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
