import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Runs one pathological file case of a fuzz script (`<script> --huge-case <name>`) in
 * a child process with its own heap and time limits, so an out-of-memory, an abort
 * or a hang is measured rather than fatal. The child prints its result as the last
 * line of stdout, in JSON.
 */
export function spawnHugeCase<Result>(options: {
  readonly root: string;
  readonly script: string;
  readonly name: string;
  readonly sizeMb: number;
  readonly heapMiB: number;
  readonly timeoutMs: number;
}): { readonly ok: true; readonly result: Result } | { readonly ok: false; readonly why: string } {
  const started = performance.now();
  const child = spawnSync(
    process.execPath,
    [
      `--max-old-space-size=${options.heapMiB}`,
      '--import',
      'tsx',
      join(options.root, 'bench', options.script),
      '--huge-case',
      options.name,
      '--huge-size-mb',
      String(options.sizeMb),
    ],
    { cwd: options.root, encoding: 'utf8', timeout: options.timeoutMs, maxBuffer: 16 * 1024 * 1024 },
  );
  const wall = ((performance.now() - started) / 1000).toFixed(1);
  const line = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status === 0 && line.startsWith('{')) return { ok: true, result: JSON.parse(line) as Result };
  const why = child.error
    ? `killed after ${wall} s (${child.error.message})`
    : /heap out of memory/i.test(child.stderr)
      ? `out of memory after ${wall} s (process died)`
      : `exit ${child.status ?? child.signal} after ${wall} s: ${child.stderr.trim().split('\n').slice(-1)[0]?.slice(0, 200)}`;
  return { ok: false, why };
}
