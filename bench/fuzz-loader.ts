import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fingerprint } from '../fuzz/bytes.ts';
import { fuzzLoaders, type LoaderSeed } from '../fuzz/loader/fuzzer.ts';
import { checkLoader, type LoaderName } from '../fuzz/loader/harness.ts';
import { deepBlock, deepFlow } from '../fuzz/loader/mutate.ts';
import { spawnHugeCase } from './huge-case.ts';
import { machineLine } from './machine.ts';

const ROOT = join(import.meta.dirname, '..');
const FINDINGS_DIR = join(ROOT, 'fuzz', 'corpus', 'loader');
const MB = 1024 * 1024;
const HUGE_HEAP_MIB = 4096;
const HUGE_TIMEOUT_MS = 300_000;

const { values } = parseArgs({
  options: {
    inputs: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '1' },
    seconds: { type: 'string' },
    'skip-huge': { type: 'boolean', default: false },
    'huge-case': { type: 'string' },
    'huge-size-mb': { type: 'string', default: '100' },
  },
});

function examples(): LoaderSeed[] {
  const seeds: LoaderSeed[] = [];
  for (const name of readdirSync(join(ROOT, 'examples')).filter((file) => file.endsWith('.yaml'))) {
    seeds.push({ loader: 'topology', name, text: readFileSync(join(ROOT, 'examples', name), 'utf8') });
  }
  for (const name of readdirSync(join(ROOT, 'examples', 'scenarios')).filter((file) =>
    file.endsWith('.yaml'),
  )) {
    seeds.push({
      loader: 'scenario',
      name,
      text: readFileSync(join(ROOT, 'examples', 'scenarios', name), 'utf8'),
    });
  }
  return seeds;
}

/** The pathological inputs, built in memory; `size` in octets for the ones that scale. */
const HUGE_CASES: Readonly<Record<string, { loader: LoaderName; build: (size: number) => string }>> = {
  'topology: valid file + comments': {
    loader: 'topology',
    build: (size) => `${base()}${`# ${'x'.repeat(97)}\n`.repeat(Math.ceil(size / 100))}`,
  },
  'topology: one string field (virtualHub.name)': {
    loader: 'topology',
    build: (size) => base().replace('name: hub-weu\n', `name: "${'x'.repeat(size)}"\n`),
  },
  'topology: vnets, each its own /24': {
    loader: 'topology',
    build: (size) => {
      const item = (i: number) =>
        `  - name: spoke${i}\n    addressPrefixes: [${(10 + (i >>> 16)) & 0xff}.${(i >>> 8) & 0xff}.${i & 0xff}.0/24]\n`;
      const count = Math.ceil(size / item(100_000).length);
      return base().replace(
        /vnets:\n( {2}- .*\n {4}.*\n)+/,
        `vnets:\n${Array.from({ length: count }, (_, i) => item(i)).join('')}`,
      );
    },
  },
  'topology: nested 10,000 levels (block mappings)': { loader: 'topology', build: () => deepBlock(10_000) },
  'topology: nested 10,000 levels (flow sequences)': { loader: 'topology', build: () => deepFlow(10_000) },
  'topology: billion laughs (9 × 9 aliases, 387 M nodes expanded)': {
    loader: 'topology',
    build: () =>
      `${['lol0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...Array.from({ length: 8 }, (_, k) => `lol${k + 1}: &a${k + 1} [${Array(9).fill(`*a${k}`).join(',')}]`)].join('\n')}\n`,
  },
  'scenario: events': {
    loader: 'scenario',
    build: (size) =>
      `name: flood\nevents:\n${'  - fail IN_0 unplanned at 30s\n'.repeat(Math.ceil(size / 31))}`,
  },
  'scenario: one string field (name)': { loader: 'scenario', build: (size) => `name: ${'y'.repeat(size)}\n` },
  'scenario: nested 10,000 levels (flow sequences)': { loader: 'scenario', build: () => deepFlow(10_000) },
};

function base(): string {
  return readFileSync(join(ROOT, 'examples', 'bgp-active-active.yaml'), 'utf8');
}

/** Child process: build one case, load it, print one JSON line. */
function runHugeCase(name: string, sizeMb: number): void {
  const spec = HUGE_CASES[name];
  if (!spec) throw new Error(`no huge case "${name}"`);
  const text = spec.build(sizeMb * MB);
  const verdict = checkLoader(spec.loader, text, () => performance.now());
  console.log(
    JSON.stringify({
      characters: text.length,
      ok: verdict.ok,
      errors: verdict.errorCount,
      summary: verdict.summary,
      ms: Math.round(verdict.ms),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      findings: verdict.findings.map((finding) => finding.kind),
    }),
  );
}

if (values['huge-case'] !== undefined) {
  runHugeCase(values['huge-case'], Number(values['huge-size-mb']));
  process.exit(0);
}

// The scenario loader hands YAML warnings to process.emitWarning (loader finding 5): count them, keep the output readable.
let yamlWarnings = 0;
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  if (warning instanceof Error && warning.name === 'YAMLWarning') yamlWarnings++;
  else emitWarning(warning as string, ...(rest as []));
}) as typeof process.emitWarning;

console.log(machineLine());
const seeds = examples();
const inputs = Number(values.inputs);
const seed = Number(values.seed);
console.log(
  `fuzz:loader seed ${seed}, up to ${inputs.toLocaleString('en-US')} inputs; ${seeds.length} example files as seeds`,
);
const stats = fuzzLoaders({
  seeds,
  inputs,
  seed,
  ...(values.seconds === undefined ? {} : { maxMs: Number(values.seconds) * 1000 }),
  now: () => performance.now(),
  onProgress: (progress) =>
    console.log(
      `  ${progress.inputs.toLocaleString('en-US').padStart(9)} inputs  ${Math.round(progress.inputs / (progress.elapsedMs / 1000))} inputs/s  findings ${[...progress.findings.values()].reduce((n, f) => n + f.count, 0)}  outcomes ${progress.summaries.size}`,
    ),
});

console.log('');
console.log(
  `inputs:   ${stats.inputs.toLocaleString('en-US')} in ${(stats.elapsedMs / 1000).toFixed(1)} s = ${Math.round(stats.inputs / (stats.elapsedMs / 1000))} inputs/s (largest ${(stats.largestInput / 1024).toFixed(0)} KiB)`,
);
for (const [loader, tally] of Object.entries(stats.perLoader)) {
  console.log(
    `${loader.padEnd(9)} ${tally.inputs.toLocaleString('en-US')} loads: ${tally.accepted} accepted, ${tally.refused} refused; mean ${(tally.totalMs / Math.max(1, tally.inputs)).toFixed(2)} ms, slowest ${tally.slowestMs.toFixed(0)} ms`,
  );
}
console.log(`outcomes: ${stats.summaries.size} distinct (loader, first error path and message shape)`);
const exceptions = stats.findings.get('exception')?.count ?? 0;
console.log(`exceptions: ${exceptions}`);
console.log(`YAML warnings printed to stderr by a loader instead of returned: ${yamlWarnings}`);
console.log('\nfindings (kind: count — smallest example):');
if (stats.findings.size === 0) console.log('  none');
mkdirSync(FINDINGS_DIR, { recursive: true });
for (const [kind, example] of stats.findings) {
  const file = join(
    FINDINGS_DIR,
    `${example.loader}-${kind}-${fingerprint(new TextEncoder().encode(example.text))}.txt`,
  );
  writeFileSync(file, example.text);
  console.log(`  ${kind}: ${example.count} (${example.loader}) — ${example.detail}`);
  console.log(`    smallest example, ${example.text.length} characters: ${file}`);
}

if (!values['skip-huge']) {
  const sizeMb = Number(values['huge-size-mb']);
  console.log(
    `\npathological files (each in a child process, heap limit ${HUGE_HEAP_MIB} MiB, time limit ${HUGE_TIMEOUT_MS / 1000} s):`,
  );
  for (const name of Object.keys(HUGE_CASES)) {
    const run = spawnHugeCase<{
      characters: number;
      ok: boolean;
      errors: number;
      summary: string;
      ms: number;
      peakRssMiB: number;
      findings: string[];
    }>({
      root: ROOT,
      script: 'fuzz-loader.ts',
      name,
      sizeMb,
      heapMiB: HUGE_HEAP_MIB,
      timeoutMs: HUGE_TIMEOUT_MS,
    });
    if (run.ok) {
      const r = run.result;
      console.log(
        `  ${name} (${(r.characters / MB).toFixed(1)} MB): ${r.ok ? 'accepted' : `refused, ${r.errors} error(s), first: ${r.summary}`}; load ${(r.ms / 1000).toFixed(1)} s, peak RSS ${r.peakRssMiB} MiB${r.findings.length > 0 ? `; findings: ${[...new Set(r.findings)].join(', ')}` : ''}`,
      );
    } else {
      console.log(`  ${name}: ${run.why}`);
    }
  }
}

process.exitCode = exceptions > 0 ? 1 : 0;
