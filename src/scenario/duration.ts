/** A week: longer than any scenario needs, short enough that a typo cannot mean "forever". */
export const MAX_DURATION_MS = 7 * 24 * 3_600_000;

/**
 * Durations as people write them in scenario files: "30s", "2m", "1500ms", "1h",
 * "1m30s", or a bare number of seconds. Returns integer milliseconds, or an error
 * message saying what would be accepted.
 */
export function parseDuration(value: unknown): { ok: true; ms: number } | { ok: false; error: string } {
  const parsed = parseUnbounded(value);
  if (parsed.ok && !(Number.isSafeInteger(parsed.ms) && parsed.ms <= MAX_DURATION_MS)) {
    return { ok: false, error: `${quote(value)} is longer than a scenario may run; at most 7 days ("168h")` };
  }
  return parsed;
}

function quote(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function parseUnbounded(value: unknown): { ok: true; ms: number } | { ok: false; error: string } {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0)
      return { ok: false, error: `${value} is not a duration; use seconds ≥ 0 or a string like "30s"` };
    return { ok: true, ms: Math.round(value * 1000) };
  }
  if (typeof value !== 'string')
    return { ok: false, error: 'expected a duration such as "30s", "2m" or "1500ms"' };
  const text = value.trim();
  const pattern = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    const amount = Number(m[1]);
    const unit = m[2];
    total += amount * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000);
    matched = pattern.lastIndex;
  }
  if (matched === 0 || matched !== text.length) {
    if (/^\d+(\.\d+)?$/.test(text)) return { ok: true, ms: Math.round(Number(text) * 1000) };
    return {
      ok: false,
      error: `${quote(value)} is not a duration; write e.g. "30s", "2m", "1m30s" or "1500ms"`,
    };
  }
  return { ok: true, ms: Math.round(total) };
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = (ms % 60_000) / 1000;
  return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds.toFixed(seconds % 1 === 0 ? 0 : 1)} s`;
}
