/**
 * The importers against hostile and careless Azure files: a quick sample of the
 * importer fuzzer (`npm run fuzz:import` runs the long one; fuzz/import/harness.ts
 * says what is checked), then each finding of the fuzz runs as a regression test
 * (all fixed in src/import). An import must always answer with a result — a
 * topology, or errors naming the JSON path (or the whole file) and what to do —
 * never an exception, a hang, a killed process or a message quoting megabytes.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuzzImporters } from '../../fuzz/import/fuzzer.ts';
import { checkImport, type ImportFindingKind, runPipeline } from '../../fuzz/import/harness.ts';
import { deepExpression, exponentialVariables } from '../../fuzz/import/mutate.ts';
import { type ImportCase, importSeeds } from '../../fuzz/import/seeds.ts';
import {
  formatImportIssue,
  type ImportResult,
  importArm,
  importVpnConfig,
  type Json,
} from '../../src/import/index.ts';
import { jsonNestingDepth, parseImportText, valueLimitProblem } from '../../src/import/limits.ts';
import { loadTopology } from '../../src/model/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'azure');

/** Azure's JSON as a test edits it: deliberately untyped, the importer is what checks it. */
// biome-ignore lint/suspicious/noExplicitAny: test edits reach into arbitrary JSON
type Mutable = any;

function fixture(name: string): Mutable {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
}

const TEMPLATE_OPTIONS = {
  vnetPrefixes: { spoke2: ['10.2.0.0/16'] },
  sitePrefixes: { branch1: ['192.168.10.0/24'] },
};

function lines(result: ImportResult): string[] {
  return result.issues.map((issue) => formatImportIssue(issue));
}

function errors(result: ImportResult) {
  return result.issues.filter((issue) => issue.severity === 'error');
}

/** Findings that are bugs whatever the input. */
const NEVER: readonly ImportFindingKind[] = [
  'exception',
  'error-without-fix',
  'malformed-result',
  'nameless-error',
  'stack-trace-in-message',
  'message-echoes-input',
  'line-echoes-input',
  'secret-leaked',
  'accepted-invalid',
  'unbounded-value-accepted',
  'slow',
];

describe('importer fuzzing, quick sample (npm run fuzz:import runs the long one)', () => {
  it('150 mutated Azure files: every import returns a result; refusals name their path; nothing echoes or leaks', () => {
    const stats = fuzzImporters({
      seeds: importSeeds(),
      inputs: 150,
      seed: 2024,
      now: () => performance.now(),
      maxLength: 64 * 1024,
    });
    expect(stats.inputs).toBe(150);
    for (const kind of NEVER) expect(stats.findings.get(kind)?.detail, kind).toBeUndefined();
    expect(stats.perImporter.arm.refused + stats.perImporter.vpnconfig.refused).toBeGreaterThan(60);
    expect(stats.perImporter.arm.accepted + stats.perImporter.vpnconfig.accepted).toBeGreaterThan(5);
    expect(stats.summaries.size).toBeGreaterThan(25);
  });

  it('the unmutated seeds: accepted ones load as topologies, and no message is without a fix', () => {
    for (const seed of importSeeds()) {
      const verdict = checkImport(seed, () => performance.now());
      expect(verdict.findings, seed.name).toEqual([]);
    }
  });
});

describe('importer findings, each fixed (fuzz/corpus/import/ holds the smallest examples)', () => {
  it('the smallest example of each kind the fuzzer found before the fixes imports cleanly now', () => {
    const dir = join(ROOT, 'fuzz', 'corpus', 'import');
    const files = readdirSync(dir).filter((name) => name.startsWith('before-fix-') && name.endsWith('.txt'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const name of files) {
      const importCase = JSON.parse(readFileSync(join(dir, name), 'utf8')) as ImportCase;
      expect(checkImport(importCase, () => performance.now()).findings, name).toEqual([]);
    }
  });

  it('1. a malformed percent escape in a resource id (%E0%A4%A): an error naming the id, not a URIError', () => {
    const list = fixture('az-resource-list.json');
    const gateway = list.find((resource: Mutable) => resource.type.endsWith('vpnGateways'));
    gateway.properties.connections[0].properties.remoteVpnSite.id =
      '/subscriptions/x/providers/Microsoft.Network/vpnSites/%E0%A4%A';
    const result = importArm([{ source: 'list.json', value: list as Json }]);
    expect(result.ok).toBe(false);
    expect(errors(result)[0]?.path).toEqual([
      9,
      'properties',
      'connections',
      0,
      'properties',
      'remoteVpnSite',
      'id',
    ]);
    expect(errors(result)[0]?.message).toMatch(/is not in the files: add its vpnSites resource/);
  });

  it('2. an expression nested 5,000 calls deep: an error naming the field, not a stack overflow', () => {
    const template = fixture('arm-template-export.json');
    template.resources[3].name = deepExpression(5000);
    const result = importArm([{ source: 't.json', value: template as Json }], TEMPLATE_OPTIONS);
    expect(result.ok).toBe(false);
    const error = errors(result).find((issue) => issue.message.includes('nests more than'));
    expect(error?.path).toEqual(['resources', 3, 'name']);
    expect(error?.message.length).toBeLessThan(500);
  });

  it('3. template variables that quadruple twenty times (4^20 copies): refused in well under a second, not 90 s and a RangeError', () => {
    const template = fixture('arm-template-export.json');
    (template as unknown as { variables: Json }).variables = exponentialVariables(20);
    for (const resource of template.resources as Mutable[]) resource.name = "[variables('v20')]";
    const started = performance.now();
    const result = importArm([{ source: 't.json', value: template as Json }], TEMPLATE_OPTIONS);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result.ok).toBe(false);
    expect(errors(result)[0]?.message).toMatch(/builds a text of [\d,]+ characters, over vwan-ha's 65,536/);
  });

  it('4. two JSON files nested 3,000 levels (12 KB): refused as whole files; the process survives (it was killed, exit 134)', async () => {
    const run = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'test', 'fuzz', 'fixtures', 'import-deep.ts'), '3000'],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] },
      );
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.on('close', (code) => resolve({ code, out }));
    });
    expect(run.code).toBe(0);
    const last = JSON.parse(run.out.trim().split('\n').at(-1) ?? '{}') as { ok: boolean; lines: string[] };
    expect(last.ok).toBe(false);
    expect(last.lines).toEqual([
      expect.stringMatching(
        /^a\.json: the file nests too deeply \(more than 64 levels\); at most 64 are accepted/,
      ),
      expect.stringMatching(/^b\.json: the file nests too deeply/),
    ]);
  });

  it('5. a 100,000-character key: the printed line cuts it (it was echoed whole, 100,158 characters)', () => {
    const config = fixture('vpnconfig-quirks.json');
    config[0].vpnSiteConfiguration['k'.repeat(100_000)] = 'x';
    for (const line of lines(importVpnConfig('v.json', config as Json, {})))
      expect(line.length).toBeLessThan(1000);
  });

  it('6. a 100,000-character site name: refused at its path with its length, never quoted whole (messages were 200,139 characters)', () => {
    const config = fixture('vpnconfig-quirks.json');
    config[0].vpnSiteConfiguration.Name = ` ${'n'.repeat(100_000)} `;
    const result = importVpnConfig('v.json', config as Json, {});
    expect(result.ok).toBe(false);
    expect(errors(result)[0]?.path).toEqual([0, 'vpnSiteConfiguration', 'Name']);
    expect(errors(result)[0]?.message).toMatch(/name is 100,000 characters long.*1–80 characters/);
    for (const issue of result.issues) expect(issue.message.length).toBeLessThan(500);
  });

  it('7. a file reaching 2,000 hubs: the message lists five and counts the rest (it listed all, 57,208 characters)', () => {
    const config = fixture('vpnconfig-quirks.json');
    const entries = Array.from({ length: 2000 }, (_, i) => {
      const entry = structuredClone(config[0]);
      entry.vpnSiteConnections[0].hubConfiguration.AddressSpace = `10.${i >> 8}.${i & 255}.0/24`;
      return entry;
    });
    const [error] = errors(importVpnConfig('v.json', entries as Json, {}));
    expect(error?.message).toMatch(
      /^the file reaches 2000 hubs \(.* and 1,995 more\); a topology is one hub/,
    );
    expect(error?.message.length).toBeLessThan(500);
  });

  it('8. a 9 MB fqdn: refused as a file over 8 MiB (the YAML with it as a comment failed to reload and the importer threw)', () => {
    const template = fixture('arm-template-export.json');
    const site = template.resources.find((resource: Mutable) => resource.type.endsWith('vpnSites'));
    site.properties.vpnSiteLinks[0].properties.fqdn = 'f'.repeat(9_000_000);
    const result = importArm([{ source: 't.json', value: template as Json }], TEMPLATE_OPTIONS);
    expect(result.ok).toBe(false);
    expect(errors(result)[0]?.message).toMatch(/^the file holds over 8 MiB of JSON/);
  });

  it('8b. comments quote values cut short and on one line: a long vendor with line breaks still makes YAML that loads', () => {
    const template = fixture('arm-template-export.json');
    const site = template.resources.find((resource: Mutable) => resource.type.endsWith('vpnSites'));
    site.properties.deviceProperties.deviceVendor = `evil\rvpnSites: []\n${'v'.repeat(5000)}`;
    const result = importArm([{ source: 't.json', value: template as Json }], TEMPLATE_OPTIONS);
    if (!result.ok) throw new Error(lines(result).join('\n'));
    expect(loadTopology(result.yaml).ok).toBe(true);
    for (const line of result.yaml.split('\n')) expect(line.length).toBeLessThan(400);
  });

  it('9. a 78-character site name (valid in Azure) imports: derived names (-device, conn-, -link1) stay within 80 characters', () => {
    const config = fixture('vpnconfig-quirks.json');
    const name = 'b'.repeat(78);
    for (const entry of config)
      if (entry.vpnSiteConfiguration.Name.trim() === 'branch1') entry.vpnSiteConfiguration.Name = name;
    const result = importVpnConfig('v.json', config as Json, {
      sitePrefixes: { [name]: ['192.168.10.0/24'], branch2: ['192.168.20.0/24'] },
    });
    if (!result.ok) throw new Error(lines(result).join('\n'));
    const device = result.topology.vpnSites.find((site) => site.name === name)?.devices[0]?.name ?? '';
    expect(device.length).toBeLessThanOrEqual(80);
    expect(device).toMatch(/^b+-[0-9a-f]{8}-device$/);
  });

  it('10. the loaders’ text limits (nesting over 64, over 8 MiB) apply to Azure files too, on the text and on a parsed value', () => {
    expect(jsonNestingDepth('{"a": [1, {"b": "[[[[[[["}]}')).toBe(3);
    const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    expect(parseImportText('f.json', nested(64)).ok).toBe(true);
    const deep = parseImportText('f.json', nested(65));
    expect(deep.ok ? '' : deep.issue.message).toMatch(/^the file nests too deeply \(65 levels\); at most 64/);
    const big = parseImportText('f.json', `[${'"x",'.repeat(2_200_000)}"x"]`);
    expect(big.ok ? '' : big.issue.message).toMatch(/^the file is 8\.4 MiB; files over 8 MiB are refused/);
    expect(valueLimitProblem(JSON.parse(nested(65)) as Json)).toMatch(/nests too deeply/);
    expect(valueLimitProblem(JSON.parse(nested(64)) as Json)).toBeUndefined();
    const bom = parseImportText('f.json', '\uFEFF{"a": 1}');
    expect(bom.ok && bom.value).toEqual({ a: 1 });
  });

  it('11. not JSON: a whole-file error with line and column that quotes nothing of the input', () => {
    const result = parseImportText('f.json', `{\n  "name": "${'s'.repeat(1000)}",\n  oops\n}`);
    if (result.ok) throw new Error('accepted');
    expect(result.issue.line).toBe(3);
    expect(result.issue.message).toMatch(/^not valid JSON: .*; check the file is the JSON Azure wrote/);
    expect(result.issue.message.length).toBeLessThan(250);
    expect(result.issue.message).not.toContain('sss');
  });

  it('12. numbers JSON allows and doubles do not hold (1e400, 2^64): refused at their paths, never accepted as Infinity', () => {
    const text = readFileSync(join(FIXTURES, 'arm-template-export.json'), 'utf8')
      .replace(/"asn":\s*\d+/g, '"asn": 1e400')
      .replace(/"dpdTimeoutSeconds":\s*\d+/g, '"dpdTimeoutSeconds": 18446744073709551616');
    const importCase: ImportCase = {
      importer: 'arm',
      name: 'wild numbers',
      files: [{ source: 't.json', text }],
      options: TEMPLATE_OPTIONS,
    };
    const run = runPipeline(importCase);
    expect(run.result?.ok).toBe(false);
    expect(run.lines.some((line) => /bgpProperties\.asn: expected a number, got Infinity/.test(line))).toBe(
      true,
    );
    expect(checkImport(importCase, () => performance.now()).findings).toEqual([]);
  });
});
