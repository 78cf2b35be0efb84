import { ElementIndex } from './element-index.ts';
import type { FlowSpec, ResolvedPath } from './flow.ts';
import { FlowMeter } from './meter.ts';

/**
 * The world's side of the data plane: given a flow, where do its packets go now?
 * The resolver is pure over the world's current forwarding state, so a flow keeps
 * its path exactly as long as the next-hop sets it hashes over are unchanged.
 */
export type PathResolver = (flow: FlowSpec) => ResolvedPath;

/**
 * Keeps every flow's current path and re-resolves only the flows a change can
 * touch: those crossing an element that changed, or those of a routing group
 * (direction and site) whose next-hop sets changed. Work per event is linear in
 * the flows affected, not in all flows — the scaling the performance issue asks for.
 */
export class Dataplane {
  readonly meter: FlowMeter;
  private readonly byElement: ElementIndex;
  /** Flow ids per direction and site: made once, read when a group's next hops change. */
  private readonly byGroup: Record<FlowSpec['direction'], Map<string, number[]>> = {
    toSite: new Map(),
    toAzure: new Map(),
  };
  private readonly currentPaths: ResolvedPath[] = [];
  private resolutions = 0;

  constructor(
    readonly flows: readonly FlowSpec[],
    private readonly resolve: PathResolver,
  ) {
    this.meter = new FlowMeter(flows);
    this.byElement = new ElementIndex(flows.length);
    for (const flow of flows) {
      const group = this.byGroup[flow.direction];
      const list = group.get(flow.site);
      if (list) list.push(flow.id);
      else group.set(flow.site, [flow.id]);
    }
  }

  /** Flow re-resolutions so far: the data plane's work counter (complexity tests use it). */
  get resolutionCount(): number {
    return this.resolutions;
  }

  /** Resolves every flow once, at the start of a run. */
  start(nowMs: number): void {
    for (const flow of this.flows) this.update(flow, nowMs);
  }

  /** An element (instance, tunnel, device, internet path) changed state. */
  elementChanged(element: string, nowMs: number): void {
    // Re-resolving may move flows off the element: walk a copy of its list.
    for (const id of this.byElement.flowsOn(element)) this.update(this.flows[id] as FlowSpec, nowMs);
  }

  /** Next-hop sets for a site's prefixes changed in one direction. */
  groupChanged(direction: FlowSpec['direction'], site: string, nowMs: number): void {
    const ids = this.byGroup[direction].get(site);
    if (!ids) return;
    for (const id of ids) this.update(this.flows[id] as FlowSpec, nowMs);
  }

  /** Every flow of every group: for changes whose reach is not worth narrowing (rare). */
  allChanged(nowMs: number): void {
    for (const flow of this.flows) this.update(flow, nowMs);
  }

  /** How many flows are routed across an element now (viable or not). */
  flowsOn(element: string): number {
    return this.byElement.count(element);
  }

  /** Calls `observer` whenever an element gets its first flow or loses its last (see flowsOn). */
  observeOccupancy(observer: (element: string, occupied: boolean) => void): void {
    this.byElement.observe(observer);
  }

  /** Where the flow's packets go now (after the last change that touched it). */
  pathOf(flowId: number): ResolvedPath | undefined {
    return this.currentPaths[flowId];
  }

  finish(endMs: number): void {
    this.meter.finish(endMs);
  }

  private update(flow: FlowSpec, nowMs: number): void {
    this.resolutions++;
    const path = this.resolve(flow);
    const current = this.currentPaths[flow.id];
    // The same path object means nothing on it changed (resolvers reuse them): nothing to settle yet.
    if (current === path) return;
    const previous = current?.elements;
    if (!previous || !sameElements(previous, path.elements)) this.byElement.place(flow.id, path.elements);
    this.currentPaths[flow.id] = path;
    this.meter.setPath(flow.id, nowMs, path);
  }
}

function sameElements(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
