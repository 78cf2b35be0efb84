import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '../..');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real bin, as a user would: `node bin/vwan-ha.js validate …`. */
function vwanHa(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      'node',
      ['bin/vwan-ha.js', ...args],
      { cwd: root, timeout: 60_000 },
      (failure, stdout, stderr) => {
        const code = failure === null ? 0 : typeof failure.code === 'number' ? failure.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const STACK_FRAME = /^\s+at .+[(:]\d+/m;

describe('vwan-ha validate <file>', () => {
  it('an example: exit 0 and an ok line with the summary', async () => {
    const run = await vwanHa('validate', 'examples/bgp-active-active.yaml');
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      'ok: hub hub-weu, 2 instances, 1 site (1 device, 1 link), 2 tunnels, BGP on 1 link connection\n',
    );
    expect(run.code).toBe(0);
  });

  it('warnings follow the ok line, each with file:line:column and field path', async () => {
    const run = await vwanHa('validate', 'examples/static-single-tunnel.yaml');
    expect(run.code).toBe(0);
    const [ok, ...warnings] = run.stdout.trimEnd().split('\n');
    expect(ok).toMatch(/^ok: hub hub-weu, 2 instances, 1 site .*, 1 tunnel, static on 1 link connection$/);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^warning: examples\/static-single-tunnel\.yaml:\d+:\d+: vpnConnections\[0\]\.vpnLinkConnections\[0\]\.instances: single tunnel to IN_0/,
    );
  });

  it('a broken file: exit 1, one error per line, no stack trace', async () => {
    const run = await vwanHa('validate', 'test/fixtures/broken/reserved-asn.yaml');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      [
        "error: test/fixtures/broken/reserved-asn.yaml:22:15: vpnSites[0].devices[0].vpnSiteLinks[0].bgpProperties.asn: 65515 is reserved by Azure (the VPN gateway's own ASN); use a private ASN such as 65010",
        'test/fixtures/broken/reserved-asn.yaml: 1 error',
        '',
      ].join('\n'),
    );
  });

  it('a YAML syntax error: line and column, no stack trace', async () => {
    const run = await vwanHa('validate', 'test/fixtures/broken/yaml-syntax.yaml');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^error: test\/fixtures\/broken\/yaml-syntax\.yaml:\d+:\d+: YAML syntax error: /,
    );
    expect(run.stderr).not.toMatch(STACK_FRAME);
  });

  it('a missing file or a directory: exit 1, a one-line reason, no stack trace', async () => {
    const missing = await vwanHa('validate', 'examples/no-such-topology.yaml');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      'error: examples/no-such-topology.yaml: cannot read the file: no such file',
    );
    expect(missing.stderr).not.toMatch(STACK_FRAME);
    const directory = await vwanHa('validate', 'examples');
    expect(directory.code).toBe(1);
    expect(directory.stderr).toContain('it is a directory');
    expect(directory.stderr).not.toMatch(STACK_FRAME);
  });

  it('JSON topologies validate the same as YAML, and --json reports machine-readably', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vwan-ha-'));
    const file = join(dir, 'static-dual-tunnel.json');
    writeFileSync(
      file,
      JSON.stringify(parse(readFileSync(join(root, 'examples/static-dual-tunnel.yaml'), 'utf8'))),
    );
    const text = await vwanHa('validate', file);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ok: hub hub-weu, .*static on 1 link connection\n$/);
    const json = await vwanHa('validate', '--json', 'test/fixtures/broken/dpd-out-of-range.yaml');
    expect(json.code).toBe(1);
    const body = JSON.parse(json.stdout) as {
      ok: boolean;
      errors: { path: unknown[]; line: number; text: string }[];
    };
    expect(body.ok).toBe(false);
    expect(body.errors.map((error) => error.path)).toEqual([
      ['vpnConnections', 0, 'vpnLinkConnections', 0, 'dpdTimeoutSeconds'],
      ['vpnConnections', 0, 'vpnLinkConnections', 1, 'dpdTimeoutSeconds'],
    ]);
  });

  it('no file argument: usage error, exit 1, no stack trace', async () => {
    const run = await vwanHa('validate');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("missing required argument 'file'");
    expect(run.stderr).not.toMatch(STACK_FRAME);
  });
});
