/**
 * Which flows cross which element (instance, tunnel, device, internet path), for
 * a million flows: the data plane re-resolves exactly the flows on an element
 * that changed, and the world asks how many flows a tunnel carries.
 *
 * Kept in typed arrays rather than a Set per element: four Sets holding a
 * million numbers between them cost hundreds of megabytes and most of the
 * garbage collector's time. Each element has a dense list of its flows; each
 * flow remembers its elements and its position in each list, so moving a flow
 * is a swap-remove per old element and an append per new one.
 */
export class ElementIndex {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly listIds = new WeakMap<readonly string[], Int32Array>();
  private observer: ((element: string, occupied: boolean) => void) | undefined;
  /** Per element id: its flows (first `sizes[id]` entries are live). */
  private members: Int32Array[] = [];
  private sizes: number[] = [];
  /** Elements per flow that the per-flow arrays have room for; grows if a longer path shows up. */
  private stride = 4;
  /** Per flow, `stride` slots: element ids, and the flow's position in each element's list. */
  private flowElements: Int32Array;
  private flowPositions: Int32Array;
  private readonly flowCounts: Uint8Array;

  constructor(private readonly flowCount: number) {
    this.flowElements = new Int32Array(flowCount * this.stride);
    this.flowPositions = new Int32Array(flowCount * this.stride);
    this.flowCounts = new Uint8Array(flowCount);
  }

  /** Moves the flow from the elements it was on to `elements` (duplicates count once, as in a set). */
  place(flowId: number, elements: readonly string[]): void {
    this.removeFlow(flowId);
    const ids = this.idsOf(elements);
    if (ids.length > this.stride) this.grow(ids.length);
    const base = flowId * this.stride;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      this.flowElements[base + i] = id;
      this.flowPositions[base + i] = this.append(id, flowId);
    }
    this.flowCounts[flowId] = ids.length;
  }

  /**
   * The element ids of a path's element list, without duplicates. Resolvers hand
   * out the same list object for every flow on a path, so it is worked out once
   * per list (weakly held: a list no path uses any more is forgotten).
   */
  private idsOf(elements: readonly string[]): Int32Array {
    let ids = this.listIds.get(elements);
    if (!ids) {
      ids = Int32Array.from(new Set(elements), (name) => this.intern(name));
      this.listIds.set(elements, ids);
    }
    return ids;
  }

  /**
   * Tells `observer` whenever an element gets its first flow or loses its last:
   * pushing that fact is cheaper than asking for it on every DPD check of a tunnel.
   */
  observe(observer: (element: string, occupied: boolean) => void): void {
    this.observer = observer;
  }

  /** How many flows are on the element now. */
  count(element: string): number {
    const id = this.ids.get(element);
    return id === undefined ? 0 : (this.sizes[id] as number);
  }

  /** The flows on the element now, as a copy (the caller may move them while iterating). */
  flowsOn(element: string): Int32Array {
    const id = this.ids.get(element);
    if (id === undefined) return EMPTY;
    return (this.members[id] as Int32Array).slice(0, this.sizes[id]);
  }

  private removeFlow(flowId: number): void {
    const base = flowId * this.stride;
    const count = this.flowCounts[flowId] as number;
    for (let i = 0; i < count; i++) {
      const id = this.flowElements[base + i] as number;
      const position = this.flowPositions[base + i] as number;
      const list = this.members[id] as Int32Array;
      const last = (this.sizes[id] as number) - 1;
      this.sizes[id] = last;
      if (last === 0) this.observer?.(this.names[id] as string, false);
      if (position === last) continue;
      // The last flow of the list takes the freed place; its own record of the position follows.
      const moved = list[last] as number;
      list[position] = moved;
      const movedBase = moved * this.stride;
      for (let j = 0; ; j++) {
        if (this.flowElements[movedBase + j] === id) {
          this.flowPositions[movedBase + j] = position;
          break;
        }
      }
    }
    this.flowCounts[flowId] = 0;
  }

  private append(id: number, flowId: number): number {
    let list = this.members[id] as Int32Array;
    const size = this.sizes[id] as number;
    if (size === list.length) {
      const larger = new Int32Array(Math.min(Math.max(16, size * 2), Math.max(16, this.flowCount)));
      larger.set(list);
      this.members[id] = larger;
      list = larger;
    }
    list[size] = flowId;
    this.sizes[id] = size + 1;
    if (size === 0) this.observer?.(this.names[id] as string, true);
    return size;
  }

  private intern(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.sizes.length;
      this.ids.set(name, id);
      this.names.push(name);
      this.members.push(new Int32Array(16));
      this.sizes.push(0);
    }
    return id;
  }

  /** Re-lays the per-flow arrays for paths of up to `stride` elements (rare: world paths have four). */
  private grow(stride: number): void {
    const elements = new Int32Array(this.flowCount * stride);
    const positions = new Int32Array(this.flowCount * stride);
    for (let f = 0; f < this.flowCount; f++) {
      for (let i = 0; i < (this.flowCounts[f] as number); i++) {
        elements[f * stride + i] = this.flowElements[f * this.stride + i] as number;
        positions[f * stride + i] = this.flowPositions[f * this.stride + i] as number;
      }
    }
    this.flowElements = elements;
    this.flowPositions = positions;
    this.stride = stride;
  }
}

const EMPTY = new Int32Array(0);
