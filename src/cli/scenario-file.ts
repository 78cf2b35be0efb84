import { readFile } from 'node:fs/promises';
import { loadScenario, type ScenarioLoad } from '../scenario/load.ts';

export async function loadScenarioFile(path: string): Promise<ScenarioLoad> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (thrown) {
    const code = (thrown as NodeJS.ErrnoException).code;
    return {
      ok: false,
      errors: [code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? 'error'})`],
    };
  }
  return loadScenario(text);
}
