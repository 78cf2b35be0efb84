/**
 * Corpus files: the input as hex, preceded by `#` lines — free notes, and
 * `# expect <what>: <outcome>` lines the replay test asserts. One format for the
 * curated corpus (fuzz/corpus/bgp/*.hex) and for crashes (fuzz/corpus/crashes/*.hex).
 */
import { fromHex, toHexLines } from './bytes.ts';

export interface CorpusEntry {
  readonly notes: readonly string[];
  /** What each harness stage must report for this input, by stage name ("two-octet", "ebgp-4", …). */
  readonly expect: Readonly<Record<string, string>>;
  readonly bytes: Uint8Array;
}

const EXPECT = /^#\s*expect\s+([\w-]+):\s*(.*)$/;

export function parseCorpusFile(text: string): CorpusEntry | { readonly error: string } {
  const notes: string[] = [];
  const expect: Record<string, string> = {};
  const hexLines: string[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (trimmed.startsWith('#')) {
      const match = EXPECT.exec(trimmed);
      if (match?.[1] !== undefined && match[2] !== undefined) expect[match[1]] = match[2].trim();
      else notes.push(trimmed.replace(/^#\s?/, ''));
      continue;
    }
    hexLines.push(trimmed);
  }
  const bytes = fromHex(hexLines.join(''));
  if (bytes === undefined) return { error: 'the body is not hex' };
  return { notes, expect, bytes };
}

export function formatCorpusFile(entry: CorpusEntry): string {
  const lines = [
    ...entry.notes.map((note) => `# ${note}`),
    ...Object.entries(entry.expect).map(([what, outcome]) => `# expect ${what}: ${outcome}`),
  ];
  lines.push(toHexLines(entry.bytes));
  return `${lines.join('\n')}\n`;
}

/** A file name from a class: "error 3/1 | -" → "error-3-1". */
export function slug(text: string, maxLength = 72): string {
  const cleaned = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return cleaned.slice(0, maxLength).replace(/-+$/, '') || 'input';
}
