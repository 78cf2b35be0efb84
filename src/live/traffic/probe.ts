/**
 * The probe packet every flow carries: who sent it, its place in the flow, and when it
 * was sent (ms since the run's common start, on the one clock all namespaces share).
 */

/** 'VWHA' */
export const PROBE_MAGIC = 0x56574841;
export const PROBE_HEADER_BYTES = 24;

export interface Probe {
  readonly runId: number;
  readonly flowId: number;
  readonly seq: number;
  readonly sendMs: number;
}

export function encodeProbe(buffer: Buffer, probe: Probe): Buffer {
  buffer.writeUInt32BE(PROBE_MAGIC, 0);
  buffer.writeUInt32BE(probe.runId >>> 0, 4);
  buffer.writeUInt32BE(probe.flowId >>> 0, 8);
  buffer.writeUInt32BE(probe.seq >>> 0, 12);
  buffer.writeDoubleBE(probe.sendMs, 16);
  return buffer;
}

export function decodeProbe(buffer: Buffer): Probe | undefined {
  if (buffer.length < PROBE_HEADER_BYTES || buffer.readUInt32BE(0) !== PROBE_MAGIC) return undefined;
  return {
    runId: buffer.readUInt32BE(4),
    flowId: buffer.readUInt32BE(8),
    seq: buffer.readUInt32BE(12),
    sendMs: buffer.readDoubleBE(16),
  };
}

/** Wall-clock milliseconds with sub-millisecond resolution. */
export function epochNowMs(): number {
  return performance.timeOrigin + performance.now();
}
