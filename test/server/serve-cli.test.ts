import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/server/build-web.ts';
import type { DesignList } from '../../src/server/wire.ts';

// `vwan-ha serve` end to end: bundles the page, listens on 127.0.0.1, prints the address.

const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
});

function run(args: readonly string[]): {
  child: ChildProcess;
  output: Promise<string>;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'vwan-ha.js'), ...args], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  // 'close': the process has exited and its output streams are drained.
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const output = new Promise<string>((resolve) => {
    const check = setInterval(() => {
      if (/web UI: http/.test(text)) {
        clearInterval(check);
        resolve(text);
      }
    }, 50);
    void exit.then(() => {
      clearInterval(check);
      resolve(text);
    });
  });
  return { child, output, exit };
}

describe('vwan-ha serve', () => {
  it('builds the page, prints a 127.0.0.1 address, and serves the given file next to the examples', async () => {
    const { child, output, exit } = run(['serve', '--port', '0', 'examples/static-single-tunnel.yaml']);
    const text = await output;
    const url = /vwan-ha web UI: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(text)?.[1];
    expect(url, text).toBeDefined();
    const page = await fetch(String(url));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="/app.js"></script>');
    const script = await fetch(`${url}app.js`);
    expect(script.status).toBe(200);
    expect((await script.text()).length).toBeGreaterThan(100_000);
    const { designs } = (await (await fetch(`${url}api/designs`)).json()) as DesignList;
    expect(designs[0]).toMatchObject({
      id: 'file:0',
      path: 'examples/static-single-tunnel.yaml',
      source: 'file',
    });
    expect(designs).toHaveLength(8);
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  }, 30_000);

  it('refuses a missing topology file and a bad port, with one line each', async () => {
    const missing = run(['serve', '--port', '0', '--no-build', 'no/such/file.yaml']);
    expect(await missing.exit).toBe(1);
    expect(await missing.output).toBe('error: no/such/file.yaml: no such file\n');
    const port = run(['serve', '--port', 'http', '--no-build']);
    expect(await port.exit).toBe(1);
    expect(await port.output).toBe('error: --port http is not a port number (0–65535)\n');
  }, 30_000);
});
