import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLES = readdirSync(join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => `examples/${f}`);

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', ['bin/vwan-ha.js', ...args], {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (thrown) {
    const e = thrown as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

describe('vwan-ha sweep / compare / advise', { timeout: 60_000 }, () => {
  it('sweep on the single-tunnel example: a table, its two single points of failure, exit 0', async () => {
    const { code, stdout, stderr } = await cli('sweep', 'examples/static-single-tunnel.yaml');
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain('device branch1-fw1 — cuts off branch1 both directions');
    expect(stdout).toContain('internet path branch1-isp1 — cuts off branch1 both directions');
    expect(stdout.split('\n').find((l) => l.startsWith('IN_0 planned'))).toContain('80 + 80');
  });

  it('compare on all seven examples: JSON byte-identical across runs and across 1 and 2 workers', async () => {
    const one = await cli('compare', ...EXAMPLES, '--json', '--workers', '1');
    const again = await cli('compare', ...EXAMPLES, '--json', '--workers', '1');
    const two = await cli('compare', ...EXAMPLES, '--json', '--workers', '2');
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(again.stdout).toBe(one.stdout);
    expect(two.stdout).toBe(one.stdout);
    const body = JSON.parse(one.stdout) as { designs: string[]; rows: unknown[]; command: string };
    expect(body.command).toBe('compare');
    expect(body.designs).toHaveLength(7);
    expect(body.rows).toHaveLength(5);
    // No progress noise with --json, even where stderr could show it.
    expect(one.stderr).toBe('');
  });

  it('sweep --depth 2 in worker threads gives the same bytes as in one thread', async () => {
    const one = await cli(
      'sweep',
      'examples/static-single-two-devices.yaml',
      '--depth',
      '2',
      '--json',
      '--workers',
      '1',
    );
    const two = await cli(
      'sweep',
      'examples/static-single-two-devices.yaml',
      '--depth',
      '2',
      '--json',
      '--workers',
      '2',
    );
    expect(one.code).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    expect((JSON.parse(one.stdout) as { failures: unknown[] }).failures).toHaveLength(42);
  });

  it('advise on the recommended design: exit 0, no medium or high finding in the JSON counts', async () => {
    const { code, stdout } = await cli('advise', 'examples/bgp-two-devices.yaml', '--json');
    expect(code).toBe(0);
    const body = JSON.parse(stdout) as { counts: Record<string, number>; loaded: boolean };
    expect(body.loaded).toBe(true);
    expect(body.counts).toMatchObject({ high: 0, medium: 0 });
  });

  it('advise exits 0 even with a high finding', async () => {
    const { code, stdout } = await cli('advise', 'examples/static-single-tunnel.yaml');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^HIGH\s+single static tunnel to IN_0/m);
  });

  it('a broken file: exit 1, the file, line and field named, no stack trace', async () => {
    for (const command of ['sweep', 'advise']) {
      const { code, stdout, stderr } = await cli(command, 'test/fixtures/broken/reserved-asn.yaml');
      expect(code, command).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toContain(
        'error: test/fixtures/broken/reserved-asn.yaml:22:15: vpnSites[0].devices[0].vpnSiteLinks[0].bgpProperties.asn: 65515 is reserved',
      );
      noStackTrace(stderr);
    }
    const missing = await cli('compare', 'examples/bgp-two-devices.yaml', 'no-such-file.yaml');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error: no-such-file.yaml: cannot read the file: no such file');
    noStackTrace(missing.stderr);
    const flag = await cli('sweep', 'examples/bgp-two-devices.yaml', '--workers', 'many');
    expect(flag.code).toBe(1);
    expect(flag.stderr).toContain('--workers many');
  });
});
