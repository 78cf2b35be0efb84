/**
 * Replays the curated BGP fuzz corpus and every crash the fuzzer ever found:
 * each input goes through the whole harness (decoder under both contexts, framer
 * whole and chunked, the Established wires), must break no invariant, and must
 * produce exactly the outcomes recorded in its file. Two chunkings per input, so
 * a recorded outcome never depends on how TCP happened to cut the stream.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type InputResult, runInput } from '../../fuzz/bgp/harness.ts';
import { type CorpusEntry, parseCorpusFile } from '../../fuzz/corpus-file.ts';
import { Rng } from '../../src/sim/rng.ts';

const CORPUS = join(import.meta.dirname, '..', '..', 'fuzz', 'corpus');

function load(folder: string): [string, CorpusEntry][] {
  const dir = join(CORPUS, folder);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.hex'))
    .sort()
    .map((name) => {
      const entry = parseCorpusFile(readFileSync(join(dir, name), 'utf8'));
      if ('error' in entry) throw new Error(`${folder}/${name}: ${entry.error}`);
      return [name, entry];
    });
}

function outcomes(result: InputResult): Record<string, string> {
  return {
    'two-octet': result.decode['two-octet'],
    'four-octet': result.decode['four-octet'],
    'ebgp-4': result.wire['ebgp-4'],
    'ibgp-2': result.wire['ibgp-2'],
  };
}

function replay(entry: CorpusEntry): void {
  for (const chunking of [1, 2]) {
    const actual = outcomes(runInput(entry.bytes, new Rng(chunking)));
    for (const [what, outcome] of Object.entries(entry.expect)) expect(actual[what], what).toBe(outcome);
  }
}

describe('BGP fuzz corpus: every curated input still produces its recorded outcome', () => {
  const corpus = load('bgp');
  it('holds a curated corpus', () => expect(corpus.length).toBeGreaterThan(20));
  it.each(corpus)('%s', (_, entry) => {
    expect(Object.keys(entry.expect)).toEqual(['two-octet', 'four-octet', 'ebgp-4', 'ibgp-2']);
    replay(entry);
  });
});

describe('BGP fuzz crashes: every input that ever crashed now passes the harness', () => {
  const crashes = load('crashes');
  it.each(crashes)('%s', (_, entry) => replay(entry));
});
