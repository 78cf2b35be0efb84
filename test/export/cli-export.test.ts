import { execFile } from 'node:child_process';
import {
  closeSync,
  lstatSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function vwanHa(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      'node',
      ['bin/vwan-ha.js', ...args],
      { cwd: root, timeout: 60_000, env: { ...process.env, ...env } },
      (failure, stdout, stderr) => {
        const code = failure === null ? 0 : typeof failure.code === 'number' ? failure.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const STACK_FRAME = /^\s+at .+[(:]\d+/m;
const bgp = ['export', 'device', 'examples/bgp-active-active.yaml', '--site', 'branch1'];

describe('vwan-ha export device (the CLI)', () => {
  it('-o dir: writes the files, scripts executable; the summary names tunnels and sessions', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'vwan-ha-export-')), 'branch1');
    const run = await vwanHa([...bgp, '--format', 'strongswan-bird', '-o', dir]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^ok: wrote swanctl\.conf, strongswan\.conf, bird\.conf, interfaces\.sh, updown\.sh to .*: device branch1-fw1, 2 tunnels, 2 BGP sessions, profile azure; pre-shared keys are \$\{VWAN_HA_PSK_…\} placeholders/,
    );
    expect(readdirSync(dir).sort()).toEqual([
      'bird.conf',
      'interfaces.sh',
      'strongswan.conf',
      'swanctl.conf',
      'updown.sh',
    ]);
    expect(statSync(join(dir, 'updown.sh')).mode & 0o777).toBe(0o755);
  });

  it('--psk-env: the key goes into a 0600 swanctl.conf only, hex-encoded, and nowhere on the terminal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vwan-ha-export-'));
    const run = await vwanHa([...bgp, '--format', 'strongswan-frr', '--psk-env', 'TEST_PSK', '-o', dir], {
      TEST_PSK: 'cli-secret-never-print',
    });
    expect(run.code).toBe(0);
    expect(`${run.stdout}${run.stderr}`).not.toContain('cli-secret-never-print');
    const swanctl = readFileSync(join(dir, 'swanctl.conf'), 'utf8');
    expect(swanctl).toContain(`secret = 0x${Buffer.from('cli-secret-never-print').toString('hex')}`);
    expect(swanctl).not.toContain('cli-secret-never-print');
    expect(statSync(join(dir, 'swanctl.conf')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toContain('frr.conf');
  });

  it('--psk-env over an earlier export: the key lands in a fresh 0600 file, never in the old 0644 one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vwan-ha-export-'));
    const first = await vwanHa([...bgp, '--format', 'strongswan-bird', '-o', dir]);
    expect(first.code).toBe(0);
    const path = join(dir, 'swanctl.conf');
    expect(statSync(path).mode & 0o777).toBe(0o644);
    // Someone who could read the placeholder file keeps it open across the second export.
    const reader = openSync(path, 'r');
    const target = join(dir, 'elsewhere');
    writeFileSync(target, 'untouched');
    // …and a symlink planted where a file goes is replaced, not written through.
    rmSync(join(dir, 'strongswan.conf'));
    symlinkSync(target, join(dir, 'strongswan.conf'));
    const second = await vwanHa([...bgp, '--format', 'strongswan-bird', '--psk-env', 'TEST_PSK', '-o', dir], {
      TEST_PSK: 'cli-secret-never-print',
    });
    expect(second.code).toBe(0);
    const buffer = Buffer.alloc(1 << 16);
    const read = readSync(reader, buffer, 0, buffer.length, 0);
    closeSync(reader);
    expect(buffer.subarray(0, read).toString()).not.toContain(
      Buffer.from('cli-secret-never-print').toString('hex'),
    );
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toContain(Buffer.from('cli-secret-never-print').toString('hex'));
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(readFileSync(target, 'utf8')).toBe('untouched');
    expect(lstatSync(join(dir, 'strongswan.conf')).isFile()).toBe(true);
  });

  it('--psk-env without -o is refused: the key would land on the terminal', async () => {
    const run = await vwanHa([...bgp, '--format', 'strongswan-bird', '--psk-env', 'TEST_PSK'], {
      TEST_PSK: 'cli-secret-never-print',
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^error: --psk-env writes the pre-shared key into swanctl\.conf: give -o <dir>/,
    );
  });

  it('without -o: every file on stdout, placeholders for keys', async () => {
    const run = await vwanHa([...bgp, '--format', 'strongswan-bird', '--profile', 'lab']);
    expect(run.code).toBe(0);
    expect(run.stdout.match(/^==> \S+ <==$/gm)).toEqual([
      '==> swanctl.conf <==',
      '==> strongswan.conf <==',
      '==> bird.conf <==',
      '==> interfaces.sh <==',
    ]);
    expect(run.stdout).toContain('proposals = aes128-sha256-modp2048');
  });

  it('errors are one line each, never a stack trace', async () => {
    const format = await vwanHa([...bgp, '--format', 'openswan']);
    expect(format.stderr).toBe('error: --format openswan: expected strongswan-bird or strongswan-frr\n');
    const site = await vwanHa([
      'export',
      'device',
      'examples/bgp-active-active.yaml',
      '--site',
      'nope',
      '--format',
      'strongswan-bird',
    ]);
    expect(site.stderr).toBe('error: no VPN site is named "nope" (sites: branch1)\n');
    const broken = await vwanHa([
      'export',
      'device',
      'test/fixtures/broken/reserved-asn.yaml',
      '--site',
      'x',
      '--format',
      'strongswan-bird',
    ]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^error: test\/fixtures\/broken\/reserved-asn\.yaml:\d+:\d+: /);
    expect(broken.stderr).not.toMatch(STACK_FRAME);
    const missing = await vwanHa([
      'export',
      'device',
      'no/such.yaml',
      '--site',
      'x',
      '--format',
      'strongswan-bird',
    ]);
    expect(missing.stderr).toMatch(/^error: no\/such\.yaml: cannot read the file: no such file/);
  });
});
