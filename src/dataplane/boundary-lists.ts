/**
 * One growing list of times per flow (outage starts and ends, alternating), for
 * a million flows. Almost every flow has at most one outage, so its first two
 * entries live in typed arrays and only the rare longer lists spill into a map:
 * a million small arrays in a map would be a million objects for the garbage
 * collector to trace on every full collection.
 */
export class BoundaryLists {
  private readonly lengths: Uint32Array;
  private readonly first: Float64Array;
  private readonly second: Float64Array;
  /** Entries from the third on, for the flows that have them. */
  private readonly rest = new Map<number, number[]>();

  constructor(flowCount: number) {
    this.lengths = new Uint32Array(flowCount);
    this.first = new Float64Array(flowCount);
    this.second = new Float64Array(flowCount);
  }

  length(flowId: number): number {
    return this.lengths[flowId] as number;
  }

  at(flowId: number, index: number): number {
    if (index === 0) return this.first[flowId] as number;
    if (index === 1) return this.second[flowId] as number;
    return (this.rest.get(flowId) as number[])[index - 2] as number;
  }

  last(flowId: number): number {
    return this.at(flowId, (this.lengths[flowId] as number) - 1);
  }

  push(flowId: number, value: number): void {
    const length = this.lengths[flowId] as number;
    if (length === 0) this.first[flowId] = value;
    else if (length === 1) this.second[flowId] = value;
    else {
      const more = this.rest.get(flowId);
      if (more) more.push(value);
      else this.rest.set(flowId, [value]);
    }
    this.lengths[flowId] = length + 1;
  }

  pop(flowId: number): void {
    const length = this.lengths[flowId] as number;
    if (length === 0) return;
    if (length > 2) {
      const more = this.rest.get(flowId) as number[];
      more.pop();
      if (more.length === 0) this.rest.delete(flowId);
    }
    this.lengths[flowId] = length - 1;
  }
}
