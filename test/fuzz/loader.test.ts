/**
 * The topology and scenario loaders against hostile and careless files: a quick
 * sample of the loader fuzzer (bench/fuzz-loader.ts runs the long one), then the
 * classic attacks one by one. A loader must always answer with a result — the
 * topology, the scenario, or errors that name the field (or the whole file) —
 * never an exception, a hang or unbounded memory. Deeply nested documents are
 * loaded in child processes: in this Node/yaml combination they can abort the
 * whole process (loader finding 1 in docs/RELIABILITY.md), which must not take
 * the test runner down with it. `it.fails` marks the findings not fixed yet.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parse, stringify } from 'yaml';
import { fuzzLoaders, type LoaderSeed } from '../../fuzz/loader/fuzzer.ts';
import { checkScenario, checkTopology, type FindingKind } from '../../fuzz/loader/harness.ts';
import { formatIssue, type LoadResult, loadTopology } from '../../src/model/index.ts';
import { loadScenario } from '../../src/scenario/load.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLE = readFileSync(join(ROOT, 'examples', 'bgp-active-active.yaml'), 'utf8');

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

/** The example topology with one field replaced (YAML text in, YAML text out). */
function exampleWith(path: readonly (string | number)[], value: unknown): string {
  const document = parse(EXAMPLE) as Record<string, unknown>;
  let node: unknown = document;
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[key];
  (node as Record<string | number, unknown>)[path[path.length - 1] as string | number] = value;
  return stringify(document);
}

function errorsOf(result: LoadResult) {
  if (result.ok) throw new Error('the file was accepted');
  return result.errors;
}

/** Loads the named deep documents in one fresh Node process (see fixtures/load-deep.ts). */
function loadDeepInChild(specs: string[]): Promise<{
  code: number | null;
  lines: { spec: string; ms: number; errors: { path: string; message: string }[] }[];
}> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'test', 'fuzz', 'fixtures', 'load-deep.ts'), ...specs],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.resume();
    child.on('close', (code) =>
      resolve({
        code,
        lines: out
          .trim()
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line)),
      }),
    );
  });
}

/** Findings that are bugs in the harness's eyes whatever the input; the others are listed as it.fails below. */
const NEVER: readonly FindingKind[] = [
  'exception',
  'malformed-result',
  'nameless-error',
  'stack-trace-in-message',
  'slow',
];

describe('loader fuzzing, quick sample (npm run fuzz:loader runs the long one)', () => {
  it('300 mutated example files: every load returns a result, and every refusal names its field or the whole file', () => {
    // The scenario loader prints YAML warnings (finding 5); keep them out of the test output.
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const stats = fuzzLoaders({
      seeds: examples(),
      inputs: 300,
      seed: 2024,
      now: () => performance.now(),
      // Deep nesting can abort the process (finding 1); it is tested in child processes below.
      mutate: { exclude: ['deepNesting'], maxLength: 256 * 1024 },
    });
    warnings.mockRestore();
    expect(stats.inputs).toBeGreaterThanOrEqual(300);
    for (const kind of NEVER) expect(stats.findings.get(kind), kind).toBeUndefined();
    expect(stats.perLoader.topology.refused + stats.perLoader.scenario.refused).toBeGreaterThan(100);
    expect(stats.summaries.size).toBeGreaterThan(40);
  });
});

describe('topology files: the classic attacks', () => {
  it('a duplicate key: refused, naming the key and its line', () => {
    const errors = errorsOf(loadTopology(EXAMPLE.replace('virtualHub:\n', 'virtualHub:\n  name: other\n')));
    expect(errors.map((issue) => formatIssue(issue))).toEqual([
      expect.stringMatching(/^\d+:\d+: YAML syntax error: the key "name" appears twice in one mapping/),
    ]);
  });

  it('a billion laughs (nine levels of nine aliases): refused in well under a second, nothing expanded', () => {
    const laughs = [
      'lol0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      ...Array.from(
        { length: 8 },
        (_, k) => `lol${k + 1}: &a${k + 1} [${Array(9).fill(`*a${k}`).join(',')}]`,
      ),
    ].join('\n');
    const started = performance.now();
    const verdict = checkTopology(`${laughs}\n${EXAMPLE}`, () => performance.now());
    expect(performance.now() - started).toBeLessThan(1000);
    expect(verdict.ok).toBe(false);
    expect(errorsOf(loadTopology(`${laughs}\n${EXAMPLE}`))[0]?.message).toMatch(/alias count/);
  });

  it.each([
    ['NaN', ['vpnGateway', 'vpnGatewayScaleUnit'], Number.NaN],
    ['Infinity', ['vpnSites', 0, 'devices', 0, 'vpnSiteLinks', 0, 'latencyMs'], Number.POSITIVE_INFINITY],
    [
      '-Infinity',
      ['vpnConnections', 0, 'vpnLinkConnections', 0, 'dpdTimeoutSeconds'],
      Number.NEGATIVE_INFINITY,
    ],
    ['1e308', ['vpnSites', 0, 'devices', 0, 'vpnSiteLinks', 0, 'bgpProperties', 'asn'], 1e308],
    ['2^53 + 2', ['vpnGateway', 'bgpSettings', 'asn'], 2 ** 53 + 2],
    ['a list for a number', ['vpnGateway', 'vpnGatewayScaleUnit'], [1]],
    ['a string for a list', ['vnets'], 'spoke1'],
    ['a mapping for a string', ['virtualHub', 'name'], { name: 'hub' }],
    ['null for a mapping', ['vpnGateway'], null],
  ] as const)('%s: refused with an error naming exactly that field', (_, path, value) => {
    const errors = errorsOf(loadTopology(exampleWith(path, value)));
    expect(errors.map((issue) => issue.path)).toContainEqual(path);
    for (const issue of errors) expect(issue.message.length).toBeLessThan(500);
  });

  it('a 1 MB string in a name: refused with the field named, in bounded time', () => {
    const started = performance.now();
    const errors = errorsOf(
      loadTopology(EXAMPLE.replace('name: hub-weu\n', `name: "${'x'.repeat(1 << 20)}"\n`)),
    );
    expect(performance.now() - started).toBeLessThan(3000);
    expect(errors[0]?.path).toEqual(['virtualHub', 'name']);
    expect(errors[0]?.message).toMatch(/longer than 80 characters/);
  });

  it('what happens today with a large file (no size limit): 8 MB of comments after a valid topology loads, linearly, in a few seconds at most', () => {
    const padding = `# ${'x'.repeat(97)}\n`.repeat(80_000);
    const started = performance.now();
    const result = loadTopology(EXAMPLE + padding);
    expect(result.ok).toBe(true);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('10,000 levels of nesting, each shape loaded first thing in a fresh process: refused as a whole-file error within a second', async () => {
    const runs = await Promise.all(
      ['topology:flow', 'topology:block', 'topology:flow-map', 'scenario:flow'].map((spec) =>
        loadDeepInChild([spec]),
      ),
    );
    for (const run of runs) {
      expect(run.code).toBe(0);
      const [line] = run.lines;
      expect(line?.ms).toBeLessThan(1000);
      expect(line?.errors[0]?.path).toBe('');
      expect(line?.errors[0]?.message).toMatch(/nests too deeply|call stack/);
    }
  });

  it('finding 1: two deeply nested documents loaded one after the other abort the whole Node process (V8 "RegExpCompiler Allocation failed")', async () => {
    const run = await loadDeepInChild(['topology:flow', 'topology:flow']);
    expect(run.lines).toHaveLength(2);
    expect(run.code).toBe(0);
  });

  it('finding 4: an error about a 100,000-character instance id quotes it back whole; messages should stay under 500 characters', () => {
    const errors = errorsOf(
      loadTopology(exampleWith(['vpnGateway', 'instances', 0, 'id'], 'I'.repeat(100_000))),
    );
    for (const issue of errors) expect(issue.message.length).toBeLessThan(500);
  });
});

describe('scenario files: the classic attacks', () => {
  it('a duplicate key, an alias, a wrong type, NaN: each refused with a field or whole-file error', () => {
    for (const text of [
      'name: a\nname: b\n',
      'base: &b 30s\nduration: *b\n',
      'events: fail IN_0 at 30s\n',
      'duration: .nan\n',
      'traffic: { flowsPerPair: 1e309 }\n',
      'warmup: -5s\n',
    ]) {
      const verdict = checkScenario(text, () => performance.now());
      expect(verdict.ok, text).toBe(false);
      expect(verdict.findings, text).toEqual([]);
    }
  });

  it('finding 2: a duration that overflows to Infinity (duration: 1e306, i.e. seconds) is accepted; simulate() would then never end', () => {
    expect(loadScenario('duration: 1e306\n').ok).toBe(false);
  });

  it('finding 2: durations beyond any simulation ("99999999999999999999h", 3.6e26 ms) are accepted', () => {
    expect(loadScenario('duration: 99999999999999999999h\n').ok).toBe(false);
  });

  it('finding 5: YAML warnings (an unknown tag) go to the process’s stderr instead of into the result', () => {
    const emitted = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      loadScenario('name: !custom scenario\n');
      expect(emitted).not.toHaveBeenCalled();
    } finally {
      emitted.mockRestore();
    }
  });
});
