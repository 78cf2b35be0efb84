/**
 * The HTML report's time series: flows delivering and losing per tunnel and
 * direction, one sample per virtual second, stored run-length encoded. The counts
 * change only around failures and returns, so ten minutes of a tunnel's flows are
 * a handful of runs instead of 601 numbers — lossless, unlike downsampling, which
 * would hide a one-second outage. Platform-free and dependency-free: the report's
 * page imports it without pulling in the simulator.
 */

/** Integers as value, repeat pairs: `[3, 60, 0, 541]` is 3 sixty times, then 0 541 times. */
export type RunLengths = readonly number[];

export interface FlowCountRuns {
  readonly delivering: RunLengths;
  readonly losing: RunLengths;
}

export interface TunnelRuns {
  /** `<linkConnection>@<instance>`, as the snapshot names the tunnel. */
  readonly tunnel: string;
  readonly toSite: FlowCountRuns;
  readonly toAzure: FlowCountRuns;
}

export interface ReportSeries {
  /** Sample i is taken at i × stepMs after the traffic started. */
  readonly stepMs: number;
  readonly samples: number;
  /** In the snapshot's tunnel order. */
  readonly tunnels: readonly TunnelRuns[];
  /** Flows losing packets with no tunnel to go to (no route, or the device is gone). */
  readonly unrouted: { readonly toSite: RunLengths; readonly toAzure: RunLengths };
}

export function encodeRuns(values: readonly number[]): number[] {
  const runs: number[] = [];
  for (const value of values) {
    const last = runs.length - 2;
    if (last >= 0 && runs[last] === value) runs[last + 1] = (runs[last + 1] as number) + 1;
    else runs.push(value, 1);
  }
  return runs;
}

export function decodeRuns(runs: RunLengths): number[] {
  const values: number[] = [];
  for (let i = 0; i + 1 < runs.length; i += 2) {
    const value = runs[i] as number;
    const repeat = runs[i + 1] as number;
    for (let k = 0; k < repeat; k++) values.push(value);
  }
  return values;
}
