import { BoundaryLists } from './boundary-lists.ts';
import type { FlowSpec, ResolvedPath } from './flow.ts';
import { packetsBetween } from './packets.ts';

/** What one flow felt over a run. */
export interface FlowMetrics {
  readonly id: number;
  readonly direction: FlowSpec['direction'];
  readonly vnet: string;
  readonly site: string;
  readonly sent: number;
  readonly delivered: number;
  readonly lost: number;
  /** Intervals [startMs, endMs) during which the flow's packets were lost. */
  readonly outages: readonly { readonly startMs: number; readonly endMs: number }[];
  readonly pathChanges: number;
  /**
   * Times the IPsec SA carrying the flow was torn down under it and the flow then
   * resumed over a rebuilt SA of the same tunnel — the seed's "user sessions will
   * be re-established across the new tunnel". A flow that fails over to another,
   * already established tunnel keeps its sessions (only packets are lost).
   */
  readonly sessionResets: number;
  /** When each of those resets happened (the moment the flow resumed over the rebuilt SA). */
  readonly sessionResetsAtMs: readonly number[];
  /** The path the flow was on when the run ended. */
  readonly finalPath: string;
}

const NO_TUNNEL = -1;
const NONE: never[] = Object.freeze([]) as unknown as never[];

/**
 * Event-driven accounting for every flow. Nothing happens between routing events:
 * when a flow's path changes at time t, the interval since its previous change is
 * settled as delivered or lost by exact packet counting. Per-flow state lives in
 * typed arrays so a million flows fit comfortably.
 */
export class FlowMeter {
  private readonly delivered: Float64Array;
  private readonly lost: Float64Array;
  private readonly sinceMs: Float64Array;
  private readonly viable: Uint8Array;
  private readonly pathChanges: Uint32Array;
  private readonly sessionResets: Uint32Array;
  private readonly pathIndex: Int32Array;
  /** The tunnel (interned id) and generation the flow last delivered packets over. */
  private readonly lastTunnel: Int32Array;
  private readonly lastGeneration: Int32Array;
  /** Per flow: outage start, end, start, end, … (an odd count: the last one is still open). */
  private readonly outages: BoundaryLists;
  private readonly resetTimes = new Map<number, number[]>();
  private readonly pathNames: string[] = [];
  private readonly pathIds = new Map<string, number>();
  private readonly tunnelIds = new Map<string, number>();
  private finishedAtMs: number | undefined;

  constructor(private readonly flows: readonly FlowSpec[]) {
    const n = flows.length;
    this.delivered = new Float64Array(n);
    this.lost = new Float64Array(n);
    this.sinceMs = new Float64Array(n);
    this.viable = new Uint8Array(n);
    this.pathChanges = new Uint32Array(n);
    this.sessionResets = new Uint32Array(n);
    this.pathIndex = new Int32Array(n).fill(-1);
    this.lastTunnel = new Int32Array(n).fill(NO_TUNNEL);
    this.lastGeneration = new Int32Array(n);
    this.outages = new BoundaryLists(n);
  }

  get flowCount(): number {
    return this.flows.length;
  }

  isViable(flowId: number): boolean {
    return this.viable[flowId] === 1;
  }

  /** Records the flow's path from `nowMs` on, settling the interval before it. */
  setPath(flowId: number, nowMs: number, path: ResolvedPath): void {
    const first = this.pathIndex[flowId] === -1;
    // A flow's accounting starts when it is first placed on a path (the traffic start), not at time 0.
    if (first) this.sinceMs[flowId] = nowMs;
    else this.settle(flowId, nowMs);
    const wasViable = this.viable[flowId] === 1;
    const currentId = this.pathIndex[flowId] as number;
    const pathId =
      currentId >= 0 && this.pathNames[currentId] === path.signature
        ? currentId
        : this.internPath(path.signature);
    if (!first && pathId !== this.pathIndex[flowId])
      this.pathChanges[flowId] = (this.pathChanges[flowId] as number) + 1;
    this.pathIndex[flowId] = pathId;

    if (path.viable) {
      const tunnel = path.tunnel ? this.internTunnel(path.tunnel.id) : NO_TUNNEL;
      const generation = path.tunnel?.generation ?? 0;
      const previousTunnel = this.lastTunnel[flowId] as number;
      if (
        !wasViable &&
        tunnel !== NO_TUNNEL &&
        tunnel === previousTunnel &&
        generation !== (this.lastGeneration[flowId] as number)
      ) {
        this.sessionResets[flowId] = (this.sessionResets[flowId] as number) + 1;
        const times = this.resetTimes.get(flowId);
        if (times) times.push(nowMs);
        else this.resetTimes.set(flowId, [nowMs]);
      }
      this.lastTunnel[flowId] = tunnel;
      this.lastGeneration[flowId] = generation;
    }
    if (wasViable !== path.viable || first) {
      if (!path.viable) this.openOutage(flowId, nowMs);
      else if (!first) this.closeOutage(flowId, nowMs);
    }
    this.viable[flowId] = path.viable ? 1 : 0;
  }

  /** Settles every flow up to `endMs`; call once at the end of a run. */
  finish(endMs: number): void {
    for (let id = 0; id < this.flows.length; id++) {
      if (this.pathIndex[id] === -1) continue;
      this.settle(id, endMs);
      if (this.viable[id] === 0) this.closeOutage(id, endMs);
    }
    this.finishedAtMs = endMs;
  }

  /**
   * Metrics as if the run ended at `atMs`, without ending it: what a live view
   * shows while the simulation keeps going.
   */
  metricsAt(flowId: number, atMs: number): FlowMetrics {
    const flow = this.flows[flowId] as FlowSpec;
    const base = this.metrics(flowId);
    if (this.pathIndex[flowId] === -1) return base;
    const pending = packetsBetween(this.sinceMs[flowId] as number, atMs, flow.phaseMs, flow.ratePps);
    const viable = this.viable[flowId] === 1;
    const delivered = base.delivered + (viable ? pending : 0);
    const lost = base.lost + (viable ? 0 : pending);
    const outages = base.outages.map((o) => (o.endMs === o.startMs && !viable ? { ...o, endMs: atMs } : o));
    return { ...base, delivered, lost, sent: delivered + lost, outages };
  }

  metrics(flowId: number): FlowMetrics {
    const flow = this.flows[flowId] as FlowSpec;
    const delivered = this.delivered[flowId] as number;
    const lost = this.lost[flowId] as number;
    const resets = this.resetTimes.get(flowId);
    const boundaries = this.outages.length(flowId);
    // Most flows have no outage and no reset: they share one frozen empty list (a million of them).
    const outages: { startMs: number; endMs: number }[] = boundaries === 0 ? NONE : [];
    for (let i = 0; i < boundaries; i += 2) {
      const startMs = this.outages.at(flowId, i);
      outages.push({
        startMs,
        endMs: i + 1 < boundaries ? this.outages.at(flowId, i + 1) : (this.finishedAtMs ?? startMs),
      });
    }
    return {
      id: flow.id,
      direction: flow.direction,
      vnet: flow.vnet,
      site: flow.site,
      sent: delivered + lost,
      delivered,
      lost,
      outages,
      pathChanges: this.pathChanges[flowId] as number,
      sessionResets: this.sessionResets[flowId] as number,
      sessionResetsAtMs: resets ? [...resets] : NONE,
      finalPath: this.pathNames[this.pathIndex[flowId] as number] ?? '',
    };
  }

  all(): FlowMetrics[] {
    return this.flows.map((f) => this.metrics(f.id));
  }

  private settle(flowId: number, nowMs: number): void {
    const flow = this.flows[flowId] as FlowSpec;
    const since = this.sinceMs[flowId] as number;
    const packets = packetsBetween(since, nowMs, flow.phaseMs, flow.ratePps);
    if (this.viable[flowId] === 1) this.delivered[flowId] = (this.delivered[flowId] as number) + packets;
    else this.lost[flowId] = (this.lost[flowId] as number) + packets;
    this.sinceMs[flowId] = Math.max(since, nowMs);
  }

  private openOutage(flowId: number, nowMs: number): void {
    this.outages.push(flowId, nowMs);
  }

  private closeOutage(flowId: number, nowMs: number): void {
    if (this.outages.length(flowId) % 2 === 0) return;
    const start = this.outages.last(flowId);
    // A zero-length outage (broken and repaired in the same millisecond) lost nothing: forget it.
    if (nowMs <= start) this.outages.pop(flowId);
    else this.outages.push(flowId, nowMs);
  }

  private internPath(signature: string): number {
    let id = this.pathIds.get(signature);
    if (id === undefined) {
      id = this.pathNames.length;
      this.pathNames.push(signature);
      this.pathIds.set(signature, id);
    }
    return id;
  }

  private internTunnel(name: string): number {
    let id = this.tunnelIds.get(name);
    if (id === undefined) {
      id = this.tunnelIds.size;
      this.tunnelIds.set(name, id);
    }
    return id;
  }
}
