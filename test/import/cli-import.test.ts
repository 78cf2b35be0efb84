import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../src/model/index.ts';
import { expectNoSecret } from './helpers.ts';

const root = join(import.meta.dirname, '../..');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

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
const template = 'test/fixtures/azure/arm-template-export.json';
const templateArgs = [
  '--vnet-prefix',
  'spoke2=10.2.0.0/16',
  '--single-tunnel',
  'branch2=IN_0',
  '--site-prefix',
  'branch1=192.168.10.0/24',
];

describe('vwan-ha import (the CLI)', () => {
  it('arm -o file: writes a topology `validate` accepts; warnings on stderr with file:line:column', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'vwan-ha-import-')), 'hub.yaml');
    const run = await vwanHa('import', 'arm', template, ...templateArgs, '-o', out);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^warning: test\/fixtures\/azure\/arm-template-export\.json:\d+:\d+: resources\[10\]\.properties\.vpnLinkConnections\[0\]\.properties\.dpdTimeoutSeconds: 0 means unset/m,
    );
    expect(run.stderr).toMatch(
      /^ok: wrote .*hub\.yaml: hub hub-weu, 2 instances, 2 sites \(2 devices, 2 links\), 3 tunnels/m,
    );
    const written = readFileSync(out, 'utf8');
    expect(loadTopology(written).ok).toBe(true);
    const validate = await vwanHa('validate', out);
    expect(validate.code).toBe(0);
    for (const text of [run.stdout, run.stderr, written]) expectNoSecret(text);
  });

  it('--include-psk: the key is still neither written nor printed, and the user is told why', async () => {
    const run = await vwanHa('import', 'arm', template, ...templateArgs, '--include-psk');
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      '--include-psk was given, but the topology model has no field for a pre-shared key, so it is not written',
    );
    expectNoSecret(run.stdout);
    expectNoSecret(run.stderr);
  });

  it('vpnconfig to stdout: YAML on stdout, diagnostics on stderr', async () => {
    const run = await vwanHa(
      'import',
      'vpnconfig',
      'test/fixtures/azure/vpnconfig-quirks.json',
      '--site-prefix',
      'branch1=192.168.10.0/24',
      '--site-prefix',
      'branch2=192.168.20.0/24',
    );
    expect(run.code).toBe(0);
    expect(loadTopology(run.stdout).ok).toBe(true);
    expect(run.stderr).toMatch(
      /^warning: test\/fixtures\/azure\/vpnconfig-quirks\.json:8:7: \[0\]\.vpnSiteConfiguration\.Name: the VPN site name " branch1 " has stray spaces/m,
    );
    expectNoSecret(run.stdout);
    expectNoSecret(run.stderr);
  });

  it('a failed import: exit 1, errors with the JSON path, nothing written, no stack trace', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'vwan-ha-import-')), 'never.yaml');
    const run = await vwanHa(
      'import',
      'vpnconfig',
      'test/fixtures/azure/broken/vpnconfig-typo.json',
      '-o',
      out,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'error: test/fixtures/azure/broken/vpnconfig-typo.json:4:50: [0].vpnSiteConfiguration.IPAdress: unknown field in vpnSiteConfiguration; did you mean "IPAddress"?',
    );
    expect(run.stderr).toMatch(/import failed: \d+ errors?; nothing written/);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(existsSync(out)).toBe(false);
    expectNoSecret(run.stderr);
  });

  it('not JSON, or no file: one line each', async () => {
    const bad = await vwanHa('import', 'vpnconfig', 'test/fixtures/azure/broken/not-json.txt');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /^error: test\/fixtures\/azure\/broken\/not-json\.txt(:\d+:\d+)?: not valid JSON/,
    );
    expect(bad.stderr).not.toMatch(STACK_FRAME);
    const missing = await vwanHa('import', 'arm', 'no/such/file.json');
    expect(missing.stderr).toBe('error: no/such/file.json: cannot read the file: no such file\n');
    expect(missing.code).toBe(1);
  });

  it('a bad option value is an error, not a stack trace', async () => {
    const run = await vwanHa('import', 'arm', template, '--site-prefix', 'branch1');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('error: --site-prefix "branch1": expected NAME=VALUE[,VALUE…]\n');
  });
});
