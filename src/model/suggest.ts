/** "Did you mean" for field names, enum values and references to named resources. */

/** Optimal string alignment distance (Levenshtein plus adjacent transposition). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1).fill(0);
    row[0] = i;
    rows.push(row);
  }
  const first = rows[0] as number[];
  for (let j = 0; j <= b.length; j++) first[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    const above = rows[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        (above[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (above[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = best;
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}

/**
 * The candidate a typo most likely meant, or undefined when none is close: same
 * letters ignoring case and separators, one a prefix of the other (`tunnelIp` →
 * `tunnelIpAddress`), or within an edit distance of about a third of its length;
 * undefined as well when two candidates are equally close.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > 200) return undefined;
  const squash = (s: string) => s.toLowerCase().replace(/[-_\s.]/g, '');
  const target = squash(word);
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  let tied = false;
  for (const candidate of candidates) {
    const other = squash(candidate);
    let score: number;
    if (other === target) score = 0;
    else if (target.length >= 3 && (other.startsWith(target) || target.startsWith(other))) score = 1;
    else {
      const distance = editDistance(target, other);
      if (distance > Math.max(1, Math.floor(Math.max(target.length, other.length) / 3))) continue;
      score = 1 + distance;
    }
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
      tied = false;
    } else if (score === bestScore && candidate !== best) {
      tied = true;
    }
  }
  // Two equally likely guesses (isp3 → isp1 or isp2?) are no guess at all.
  return tied ? undefined : best;
}

/** `; did you mean "x"?` or, failing that, the accepted values. */
export function didYouMean(
  word: string,
  candidates: readonly string[],
  listLabel = 'expected one of',
): string {
  const guess = closest(word, candidates);
  if (guess !== undefined) return `; did you mean "${guess}"?`;
  if (candidates.length === 0) return '';
  return `; ${listLabel}: ${candidates.join(', ')}`;
}
