/**
 * What happened, in order: the simulator's log. Entries are plain JSON-able data
 * so a trace can be printed, diffed, sent to the web UI or compared byte for byte
 * between two runs with the same seed.
 */
export interface TraceEntry {
  readonly atMs: number;
  /** Who it happened to, e.g. "IN_0", "site1/dev0", "bgp IN_0<->site1/dev0". */
  readonly source: string;
  /** What happened, a short stable word: "bgp.state", "ike.established", "ip.move". */
  readonly event: string;
  readonly detail?: Readonly<Record<string, string | number | boolean | null>>;
}

export class Trace {
  private readonly entries: TraceEntry[] = [];

  /** A disabled trace drops entries: large runs (a million flows) can opt out. */
  constructor(readonly enabled = true) {}

  record(entry: TraceEntry): void {
    if (this.enabled) this.entries.push(entry);
  }

  all(): readonly TraceEntry[] {
    return this.entries;
  }

  filter(event: string | ((entry: TraceEntry) => boolean)): TraceEntry[] {
    const match = typeof event === 'string' ? (e: TraceEntry) => e.event === event : event;
    return this.entries.filter(match);
  }
}
