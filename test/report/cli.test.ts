import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/server/build-web.ts';

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', ['bin/vwan-ha.js', ...args], {
      cwd: PROJECT_ROOT,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (thrown) {
    const e = thrown as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'vwan-ha-report-cli-'));
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('--html on sweep, advise and compare', { timeout: 60_000 }, () => {
  it('sweep --html: the usual table on stdout, the report written, the same bytes as advise --html but for its title', async () => {
    const file = join(scratch, 'sweep.html');
    const swept = await cli('sweep', 'examples/static-single-tunnel.yaml', '--html', file);
    expect(swept.code).toBe(0);
    expect(swept.stdout).toContain('single points of failure (2):');
    expect(swept.stderr).toBe(
      `wrote ${file}: HTML report, ${Math.round((await readFile(file)).length / 1024)} KiB, 7 failures drawn\n`,
    );
    const html = await readFile(file, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('vwan-ha sweep examples/static-single-tunnel.yaml');

    const again = join(scratch, 'again.html');
    await cli('sweep', 'examples/static-single-tunnel.yaml', '--html', again, '--workers', '2');
    expect(await readFile(again, 'utf8')).toBe(html);
  });

  it('with --json, stdout is the JSON alone and stderr stays quiet', async () => {
    const file = join(scratch, 'json.html');
    const plain = await cli('sweep', 'examples/static-single-tunnel.yaml', '--json');
    const withHtml = await cli('sweep', 'examples/static-single-tunnel.yaml', '--json', '--html', file);
    expect(withHtml.code).toBe(0);
    expect(withHtml.stdout).toBe(plain.stdout);
    expect(withHtml.stderr).toBe('');
    expect((await readFile(file, 'utf8')).length).toBeGreaterThan(50_000);
  });

  it('advise and compare write their reports too', async () => {
    const advised = await cli(
      'advise',
      'examples/bgp-active-active.yaml',
      '--html',
      join(scratch, 'advise.html'),
    );
    expect(advised.code).toBe(0);
    expect(advised.stderr).toMatch(/advise\.html: HTML report, \d+ KiB, 8 failures drawn\n$/);
    const compared = await cli(
      'compare',
      'examples/bgp-active-active.yaml',
      'examples/static-single-tunnel.yaml',
      '--html',
      join(scratch, 'compare.html'),
    );
    expect(compared.code).toBe(0);
    expect(compared.stderr).toMatch(/15 failures drawn\n$/);
    expect(await readFile(join(scratch, 'compare.html'), 'utf8')).toContain(
      'vwan-ha compare examples/bgp-active-active.yaml examples/static-single-tunnel.yaml',
    );
  });

  it('a report that cannot be written is an error, exit 1, no stack trace', async () => {
    const result = await cli(
      'sweep',
      'examples/static-single-tunnel.yaml',
      '--html',
      join(scratch, 'missing', 'r.html'),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: cannot write the HTML report to .*missing\/r\.html: ENOENT/);
    expect(result.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  });

  it('advise on a file that does not load writes no report', async () => {
    const file = join(scratch, 'broken.html');
    const result = await cli('advise', 'test/fixtures/broken/bad-cidr.yaml', '--html', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('nothing simulated, no HTML report written');
    await expect(readFile(file)).rejects.toThrow(/ENOENT/);
  });
});
