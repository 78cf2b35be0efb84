export { formatDuration } from '../src/scenario/duration.ts';

/** `m:ss`, or `m:ss.mmm` when not on a whole second; negative in the warm-up. */
export function formatClock(ms: number, withMs = false): string {
  const sign = ms < 0 ? '−' : '';
  const total = Math.abs(Math.round(ms));
  const minutes = Math.floor(total / 60_000);
  const seconds = Math.floor((total % 60_000) / 1000);
  const millis = total % 1000;
  const base = `${sign}${minutes}:${String(seconds).padStart(2, '0')}`;
  return withMs || millis !== 0 ? `${base}.${String(millis).padStart(3, '0')}` : base;
}

export function formatPercent(share: number): string {
  if (share === 0 || share === 1) return `${share * 100} %`;
  return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)} %`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
