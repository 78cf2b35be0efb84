/**
 * The one Node-only piece of the model: reading a topology file. Kept apart so
 * the browser can import src/model/index.ts without node:fs.
 */
import { readFile } from 'node:fs/promises';
import { error } from './issues.ts';
import { type LoadResult, loadTopology } from './load.ts';

function readFailure(thrown: unknown): string {
  const code = typeof thrown === 'object' && thrown !== null && 'code' in thrown ? String(thrown.code) : '';
  switch (code) {
    case 'ENOENT':
      return 'cannot read the file: no such file';
    case 'EISDIR':
      return 'cannot read the file: it is a directory, not a topology file';
    case 'EACCES':
    case 'EPERM':
      return 'cannot read the file: permission denied';
    default:
      return `cannot read the file: ${thrown instanceof Error ? thrown.message : String(thrown)}`;
  }
}

/** Reads and loads a YAML or JSON topology file; a read failure is an error issue, never an exception. */
export async function loadTopologyFile(path: string): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (thrown) {
    return { ok: false, errors: [error([], readFailure(thrown))], warnings: [] };
  }
  return loadTopology(text);
}
