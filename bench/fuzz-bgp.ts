/**
 * `npm run fuzz:bgp [-- --inputs 1000000 --seed 1 --seconds 600 --write-corpus]`:
 * mutation-fuzzes the BGP codec, framer and wire (fuzz/bgp/harness.ts says what
 * is checked), prints throughput, exceptions, the outcome histograms and the
 * classes reached, saves each distinct crash to fuzz/corpus/crashes/ and, with
 * --write-corpus, the smallest input of every class not yet in fuzz/corpus/bgp/.
 * `--bless-crashes` (no fuzzing) records, in each crash file that has none yet,
 * the outcomes its input now produces — once the bug is fixed, the crash becomes
 * a regression input the corpus test replays. Exits 1 when anything escaped.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runEventSequence } from '../fuzz/bgp/events.ts';
import { type FuzzStats, fuzzBgp } from '../fuzz/bgp/fuzzer.ts';
import { runInput } from '../fuzz/bgp/harness.ts';
import { seedCorpus } from '../fuzz/bgp/seeds.ts';
import { fingerprint } from '../fuzz/bytes.ts';
import { formatCorpusFile, parseCorpusFile, slug } from '../fuzz/corpus-file.ts';
import { Rng } from '../src/sim/rng.ts';
import { machineLine } from './machine.ts';

const CORPUS_DIR = join(import.meta.dirname, '..', 'fuzz', 'corpus', 'bgp');
const CRASH_DIR = join(import.meta.dirname, '..', 'fuzz', 'corpus', 'crashes');

const { values } = parseArgs({
  options: {
    inputs: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '1' },
    seconds: { type: 'string' },
    'write-corpus': { type: 'boolean', default: false },
    'bless-crashes': { type: 'boolean', default: false },
    sessions: { type: 'string', default: '100000' },
  },
});

function expectations(bytes: Uint8Array): Record<string, string> {
  const result = runInput(bytes, new Rng(1));
  return {
    'two-octet': result.decode['two-octet'],
    'four-octet': result.decode['four-octet'],
    'ebgp-4': result.wire['ebgp-4'],
    'ibgp-2': result.wire['ibgp-2'],
  };
}

if (values['bless-crashes']) {
  for (const name of readdirSync(CRASH_DIR).filter((file) => file.endsWith('.hex'))) {
    const entry = parseCorpusFile(readFileSync(join(CRASH_DIR, name), 'utf8'));
    if ('error' in entry || Object.keys(entry.expect).length > 0) continue;
    try {
      writeFileSync(join(CRASH_DIR, name), formatCorpusFile({ ...entry, expect: expectations(entry.bytes) }));
      console.log(`${name}: blessed`);
    } catch (thrown) {
      console.log(`${name}: still fails: ${String(thrown).split('\n')[0]}`);
      process.exitCode = 1;
    }
  }
  process.exit();
}
const inputs = Number(values.inputs);
const seed = Number(values.seed);
const maxMs = values.seconds === undefined ? undefined : Number(values.seconds) * 1000;

function heapMiB(): string {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  return `heap ${(heapUsed / 2 ** 20).toFixed(0)} MiB, rss ${(rss / 2 ** 20).toFixed(0)} MiB`;
}

function rate(stats: FuzzStats): string {
  return `${Math.round(stats.inputs / (stats.elapsedMs / 1000)).toLocaleString('en-US')} inputs/s`;
}

console.log(machineLine());
console.log(
  `fuzz:bgp seed ${seed}, up to ${inputs.toLocaleString('en-US')} inputs${maxMs ? ` or ${maxMs / 1000} s` : ''}`,
);
const seeds = seedCorpus();
console.log(`seed corpus: ${seeds.length} messages; ${heapMiB()}`);

const stats = fuzzBgp({
  seeds,
  inputs,
  seed,
  ...(maxMs === undefined ? {} : { maxMs }),
  now: () => performance.now(),
  onProgress: (progress) =>
    console.log(
      `  ${progress.inputs.toLocaleString('en-US').padStart(11)} inputs  ${rate(progress).padStart(16)}  exceptions ${progress.exceptions}  classes ${progress.classes.size}  features ${progress.features.size}  corpus ${progress.corpusSize}  ${heapMiB()}`,
    ),
});

const table = (map: Map<string, number>): string[] =>
  [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([key, count]) => `  ${count.toLocaleString('en-US').padStart(11)}  ${key}`);

console.log('');
console.log(
  `inputs:      ${stats.inputs.toLocaleString('en-US')} in ${(stats.elapsedMs / 1000).toFixed(1)} s = ${rate(stats)}`,
);
console.log(`exceptions:  ${stats.exceptions} (distinct: ${stats.crashes.length})`);
console.log(`classes:     ${stats.classes.size} distinct (outcome, warning kind) classes`);
console.log(`features:    ${stats.features.size} (classes + decoder reasons + framer/wire reactions)`);
console.log(`corpus:      ${stats.corpusSize} entries (${seeds.length} seeds)`);
console.log(
  `soak:        ${stats.soakSessions.toLocaleString('en-US')} sessions, ${stats.soakUpdates.toLocaleString('en-US')} UPDATEs delivered, at most ${stats.soakMaxPrefixes} prefixes held`,
);
console.log(`memory:      ${heapMiB()}`);
console.log('\ndecoder outcomes (raw input, per context):');
console.log(table(stats.decodeHistogram).join('\n'));
console.log('\ndecoder outcomes per message the framer cut out (4-octet context; framer errors included):');
console.log(table(stats.messageHistogram).join('\n'));
console.log('\nNOTIFICATIONs sent by the wires (code/subcode):');
console.log(table(stats.wireHistogram).join('\n'));
console.log('\nclasses (outcome | warning kind):');
for (const kind of [...stats.classes.keys()].sort()) console.log(`  ${kind}`);
console.log('\nmutations (applied / part of a new-feature find):');
for (const [name, use] of [...stats.mutationUse.entries()].sort((a, b) => b[1].finds - a[1].finds)) {
  console.log(
    `  ${name.padEnd(24)} ${use.applied.toLocaleString('en-US').padStart(11)}  ${use.finds.toLocaleString('en-US').padStart(6)}`,
  );
}

if (stats.crashes.length > 0) {
  mkdirSync(CRASH_DIR, { recursive: true });
  console.log('\ncrashes:');
  for (const crash of stats.crashes) {
    const file = join(CRASH_DIR, `${fingerprint(crash.bytes)}.hex`);
    writeFileSync(
      file,
      formatCorpusFile({
        notes: [
          `found by npm run fuzz:bgp, seed ${seed}, input ${crash.inputIndex}, mutations ${crash.applied.join(' ')}`,
          `failure: ${crash.error.split('\n')[0]}`,
        ],
        expect: {},
        bytes: crash.bytes,
      }),
    );
    console.log(`  ${file}: ${crash.error.split('\n')[0]}`);
  }
}

// Session-level fuzzing: random runtime events and bytes on up to three connections (fuzz/bgp/events.ts).
{
  const sessions = Number(values.sessions);
  const rng = new Rng(seed);
  const pickSeed = (): Uint8Array => seeds[rng.int(seeds.length)]?.bytes ?? new Uint8Array(0);
  const started = performance.now();
  let events = 0;
  let establishedRuns = 0;
  let failures = 0;
  const sent = new Map<string, number>();
  const failed = new Map<string, string>();
  for (let run = 0; run < sessions; run++) {
    try {
      const result = runEventSequence(rng, 40, pickSeed);
      events += result.events;
      if (result.established) establishedRuns++;
      for (const code of result.notifications) sent.set(code, (sent.get(code) ?? 0) + 1);
    } catch (thrown) {
      failures++;
      const text = String(thrown).split('\n')[0] ?? '';
      failed.set(text.replace(/\d+/g, '#'), text);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `\nsession event fuzzing: ${sessions.toLocaleString('en-US')} histories, ${events.toLocaleString('en-US')} events in ${seconds.toFixed(1)} s (${Math.round(events / seconds).toLocaleString('en-US')} events/s); ${establishedRuns.toLocaleString('en-US')} reached Established; failures ${failures}`,
  );
  console.log(
    `  NOTIFICATIONs sent: ${[...sent.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([code, n]) => `${code} ×${n}`)
      .join(', ')}`,
  );
  for (const text of failed.values()) console.log(`  FAILURE: ${text}`);
  if (failures > 0) process.exitCode = 1;
}

if (values['write-corpus']) {
  const covered = new Set<string>();
  for (const name of readdirSync(CORPUS_DIR).filter((file) => file.endsWith('.hex'))) {
    const entry = parseCorpusFile(readFileSync(join(CORPUS_DIR, name), 'utf8'));
    if ('error' in entry) continue;
    for (const kind of runInput(entry.bytes, new Rng(1)).classes) covered.add(kind);
  }
  let written = 0;
  for (const [kind, representative] of stats.classes) {
    if (covered.has(kind)) continue;
    for (const reached of runInput(representative.bytes, new Rng(1)).classes) covered.add(reached);
    const file = join(CORPUS_DIR, `${slug(kind)}-${fingerprint(representative.bytes)}.hex`);
    writeFileSync(
      file,
      formatCorpusFile({
        notes: [`smallest input of class "${kind}" found by npm run fuzz:bgp, seed ${seed}`],
        expect: expectations(representative.bytes),
        bytes: representative.bytes,
      }),
    );
    written++;
  }
  console.log(`\ncorpus: wrote ${written} new file(s) to ${CORPUS_DIR}`);
}

if (stats.exceptions > 0) process.exitCode = 1;
