import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fingerprint } from '../fuzz/bytes.ts';
import { fuzzImporters } from '../fuzz/import/fuzzer.ts';
import { deepExpression, exponentialVariables } from '../fuzz/import/mutate.ts';
import { FIXTURES, importSeeds } from '../fuzz/import/seeds.ts';
import { spawnHugeCase } from './huge-case.ts';
import { machineLine } from './machine.ts';

const ROOT = join(import.meta.dirname, '..');
const FINDINGS_DIR = join(ROOT, 'fuzz', 'corpus', 'import');
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

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function fixture(name: string): Json {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Json;
}

const ID = '/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network';

/**
 * `az resource list`-shaped: the fixture's hub and gateway, and `count` sites, each
 * with a link and a connection on the gateway (a hub far past Azure's 1,000
 * connections, to find what is quadratic).
 */
function bigResourceList(count: number): string {
  const list = fixture('az-resource-list.json') as { [key: string]: Json }[];
  const keep = list.filter((resource) => /virtualHubs$|vpnGateways$/.test(String(resource.type)));
  const gateway = keep.find((resource) => String(resource.type).endsWith('vpnGateways')) as {
    properties: { connections: Json[] };
  };
  const connections: Json[] = [];
  const sites: Json[] = [];
  for (let i = 0; i < count; i++) {
    const ip = `${11 + (i >>> 16)}.${(i >>> 8) & 0xff}.${i & 0xff}.1`;
    sites.push({
      id: `${ID}/vpnSites/s${i}`,
      name: `s${i}`,
      type: 'Microsoft.Network/vpnSites',
      properties: {
        addressSpace: { addressPrefixes: [`${100 + (i >>> 16)}.${(i >>> 8) & 0xff}.${i & 0xff}.0/24`] },
        vpnSiteLinks: [{ name: `s${i}-l`, properties: { ipAddress: ip } }],
      },
    });
    connections.push({
      name: `c${i}`,
      properties: {
        remoteVpnSite: { id: `${ID}/vpnSites/s${i}` },
        vpnLinkConnections: [
          {
            name: `c${i}-l`,
            properties: { vpnSiteLink: { id: `${ID}/vpnSites/s${i}/vpnSiteLinks/s${i}-l` } },
          },
        ],
      },
    });
  }
  gateway.properties.connections = connections;
  return JSON.stringify([...keep, ...sites]);
}

function vpnConfigEntries(count: number): string {
  const [entry] = fixture('vpnconfig-quirks.json') as {
    vpnSiteConfiguration: { Name: string; IPAddress: string };
  }[];
  const out: Json[] = [];
  for (let i = 0; i < count; i++) {
    const copy = structuredClone(entry) as { vpnSiteConfiguration: { Name: string; IPAddress: string } };
    copy.vpnSiteConfiguration.Name = `site${i}`;
    copy.vpnSiteConfiguration.IPAddress = `${11 + (i >>> 16)}.${(i >>> 8) & 0xff}.${i & 0xff}.1`;
    out.push(copy as unknown as Json);
  }
  return JSON.stringify(out);
}

function template(): { [key: string]: Json } {
  return fixture('arm-template-export.json') as { [key: string]: Json };
}

/** Approximate entries for `size` octets, from the size of 100 of them. */
function countFor(size: number, build: (count: number) => string): number {
  return Math.max(1, Math.ceil((size / build(100).length) * 100));
}

interface HugeCase {
  readonly importer: 'arm' | 'vpnconfig';
  /** The files' texts; several for ARM imports that merge files. */
  readonly build: (size: number) => string[];
  readonly args?: readonly string[];
}

const TEMPLATE_ARGS = ['--vnet-prefix', 'spoke2=10.2.0.0/16', '--site-prefix', 'branch1=192.168.10.0/24'];

const HUGE_CASES: Readonly<Record<string, HugeCase>> = {
  'arm: template + whitespace': {
    importer: 'arm',
    build: (size) => [`${JSON.stringify(template(), null, 2)}${' '.repeat(size)}`],
    args: TEMPLATE_ARGS,
  },
  'arm: one string field (a site name)': {
    importer: 'arm',
    build: (size) => {
      const t = template();
      const site = (t.resources as { name: string; type: string }[]).find((r) => r.type.endsWith('vpnSites'));
      if (site !== undefined) site.name = 'x'.repeat(size);
      return [JSON.stringify(t)];
    },
    args: TEMPLATE_ARGS,
  },
  'arm: resource list, a site and connection each': {
    importer: 'arm',
    build: (size) => [bigResourceList(countFor(size, bigResourceList))],
  },
  'arm: nested 100,000 levels (a property)': {
    importer: 'arm',
    build: () => {
      const text = JSON.stringify(template());
      return [
        text.replace('"properties":{', `"properties":{"deep":${'['.repeat(100_000)}${']'.repeat(100_000)},`),
      ];
    },
    args: TEMPLATE_ARGS,
  },
  'arm: two files nested 10,000 levels': {
    importer: 'arm',
    build: () => [0, 1].map(() => `${'['.repeat(10_000)}${']'.repeat(10_000)}`),
  },
  'arm: expression nested 100,000 calls': {
    importer: 'arm',
    build: () => {
      const t = template();
      for (const resource of (t.resources as { name: string }[]).slice(0, 1))
        resource.name = deepExpression(100_000);
      return [JSON.stringify(t)];
    },
    args: TEMPLATE_ARGS,
  },
  'arm: variables doubling 40 times (4^40 characters)': {
    importer: 'arm',
    build: () => {
      const t = template();
      t.variables = exponentialVariables(40);
      for (const resource of t.resources as { name: string }[]) resource.name = "[variables('v40')]";
      return [JSON.stringify(t)];
    },
  },
  'arm: 1e400 and 2^64 numbers': {
    importer: 'arm',
    build: () => [
      JSON.stringify(template())
        .replace(/"asn":\s*\d+/g, '"asn":1e400')
        .replace(/"dpdTimeoutSeconds":\s*\d+/g, '"dpdTimeoutSeconds":18446744073709551616'),
    ],
    args: TEMPLATE_ARGS,
  },
  'vpnconfig: entries': {
    importer: 'vpnconfig',
    build: (size) => [vpnConfigEntries(countFor(size, vpnConfigEntries))],
  },
};

/** Child process: build one case, write its files, run the CLI's import on them, print one JSON line. */
async function runHugeCase(name: string, sizeMb: number): Promise<void> {
  const spec = HUGE_CASES[name];
  if (!spec) throw new Error(`no huge case "${name}"`);
  const texts = spec.build(sizeMb * MB);
  const dir = mkdtempSync(join(tmpdir(), 'vwan-ha-fuzz-import-'));
  const files = texts.map((text, i) => {
    const file = join(dir, `input${i}.json`);
    writeFileSync(file, text);
    return file;
  });
  const { importCommand } = await import('../src/cli/import.ts');
  const parse = (args: readonly string[]) => {
    const options: Record<string, unknown> = {};
    for (let i = 0; i < args.length; i += 2) {
      const key = (args[i] as string).replace(/^--/, '').replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
      options[key] =
        key === 'hubPrefix' || key === 'hub'
          ? args[i + 1]
          : [...((options[key] as string[]) ?? []), args[i + 1]];
    }
    return options;
  };
  let stderr = '';
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stderr.write;
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  let stdoutBytes = 0;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdoutBytes += chunk.length;
    return true;
  }) as typeof process.stdout.write;
  const started = performance.now();
  const code = await importCommand(spec.importer, files, parse(spec.args ?? []));
  const ms = performance.now() - started;
  process.stderr.write = write;
  process.stdout.write = stdoutWrite;
  rmSync(dir, { recursive: true, force: true });
  const lines = stderr.split('\n').filter((line) => line !== '');
  console.log(
    JSON.stringify({
      characters: texts.reduce((n, text) => n + text.length, 0),
      code,
      first: lines.find((line) => line.startsWith('error')) ?? lines[lines.length - 1] ?? '',
      lines: lines.length,
      longestLine: Math.max(0, ...lines.map((line) => line.length)),
      stdoutBytes,
      ms: Math.round(ms),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
}

if (values['huge-case'] !== undefined) {
  await runHugeCase(values['huge-case'], Number(values['huge-size-mb']));
  process.exit(0);
}

console.log(machineLine());
const seeds = importSeeds();
const inputs = Number(values.inputs);
const seed = Number(values.seed);
console.log(
  `fuzz:import seed ${seed}, up to ${inputs.toLocaleString('en-US')} inputs; ${seeds.length} imports of test/fixtures/azure as seeds`,
);
const stats = fuzzImporters({
  seeds,
  inputs,
  seed,
  ...(values.seconds === undefined ? {} : { maxMs: Number(values.seconds) * 1000 }),
  now: () => performance.now(),
  onProgress: (progress) =>
    console.log(
      `  ${progress.inputs.toLocaleString('en-US').padStart(9)} inputs  ${Math.round(progress.inputs / (progress.elapsedMs / 1000))} inputs/s  findings ${[...progress.findings.values()].reduce((n, f) => n + f.count, 0)}  outcomes ${progress.summaries.size}  heap ${Math.round(process.memoryUsage().heapUsed / MB)} MiB`,
    ),
});

console.log('');
console.log(
  `inputs:   ${stats.inputs.toLocaleString('en-US')} in ${(stats.elapsedMs / 1000).toFixed(1)} s = ${Math.round(stats.inputs / (stats.elapsedMs / 1000))} inputs/s (largest ${(stats.largestInput / 1024).toFixed(0)} KiB)`,
);
for (const [importer, t] of Object.entries(stats.perImporter)) {
  console.log(
    `${importer.padEnd(9)} ${t.inputs.toLocaleString('en-US')} imports: ${t.accepted} accepted, ${t.refused} refused, ${t.notJson} not JSON; mean ${(t.totalMs / Math.max(1, t.inputs)).toFixed(2)} ms, slowest ${t.slowestMs.toFixed(0)} ms`,
  );
}
if (stats.slowest !== undefined)
  console.log(
    `slowest:  ${stats.slowest.ms.toFixed(0)} ms, ${stats.slowest.importer}, ${(stats.slowest.size / 1024).toFixed(0)} KiB, after ${stats.slowest.applied.join(' + ') || 'no mutation'}`,
  );
console.log(
  `outcomes: ${stats.summaries.size} distinct (importer, first error path and message shape); corpus ${stats.corpusSize}`,
);
console.log(
  `mutations: ${[...stats.mutationUse]
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${n}`)
    .join(', ')}`,
);
const exceptions = stats.findings.get('exception')?.count ?? 0;
console.log(`exceptions: ${exceptions}`);
console.log('\nfindings (kind: count — smallest example):');
if (stats.findings.size === 0) console.log('  none');
mkdirSync(FINDINGS_DIR, { recursive: true });
for (const [kind, example] of stats.findings) {
  const text = JSON.stringify({ ...example.importCase, finding: kind, detail: example.detail }, null, 1);
  const file = join(
    FINDINGS_DIR,
    `${example.importCase.importer}-${kind}-${fingerprint(new TextEncoder().encode(text))}.txt`,
  );
  if (example.size <= 256 * 1024) writeFileSync(file, `${text}\n`);
  console.log(`  ${kind}: ${example.count} — ${example.detail}`);
  console.log(
    `    smallest example, ${example.size.toLocaleString('en-US')} characters after ${example.applied.join(' + ') || 'no mutation'}${example.size <= 256 * 1024 ? `: ${file}` : ''}`,
  );
}

if (!values['skip-huge']) {
  const sizeMb = Number(values['huge-size-mb']);
  console.log(
    `\npathological files through the CLI's import (each in a child process, heap limit ${HUGE_HEAP_MIB} MiB, time limit ${HUGE_TIMEOUT_MS / 1000} s):`,
  );
  for (const name of Object.keys(HUGE_CASES)) {
    const run = spawnHugeCase<{
      characters: number;
      code: number;
      first: string;
      lines: number;
      longestLine: number;
      ms: number;
      peakRssMiB: number;
    }>({
      root: ROOT,
      script: 'fuzz-import.ts',
      name,
      sizeMb,
      heapMiB: HUGE_HEAP_MIB,
      timeoutMs: HUGE_TIMEOUT_MS,
    });
    if (run.ok) {
      const r = run.result;
      console.log(
        `  ${name} (${(r.characters / MB).toFixed(1)} MB): exit ${r.code}, ${r.lines} line(s), longest ${r.longestLine} characters; ${r.first.slice(0, 160)}; import ${(r.ms / 1000).toFixed(1)} s, peak RSS ${r.peakRssMiB} MiB`,
      );
    } else {
      console.log(`  ${name}: ${run.why}`);
    }
  }
}

process.exitCode = exceptions > 0 ? 1 : 0;
