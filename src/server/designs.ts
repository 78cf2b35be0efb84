import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { DesignEntry } from './wire.ts';

/**
 * The seed's designs (examples/*.yaml) and the files named on the command line,
 * read afresh on every request so that editing a file and reloading the page shows
 * the edit. Only these paths are ever read: the list is fixed when the server starts.
 */
export async function listDesigns(examplesDir: string, files: readonly string[]): Promise<DesignEntry[]> {
  const given = await Promise.all(
    files.map((file, index) => readDesign(`file:${index}`, file, file, 'file')),
  );
  let names: string[] = [];
  try {
    names = (await readdir(examplesDir)).filter((name) => /\.ya?ml$/.test(name)).sort();
  } catch {
    // No examples folder (an installed copy without them): the given files alone.
  }
  const examples = await Promise.all(
    names.map((name) =>
      readDesign(
        `example:${name.replace(/\.ya?ml$/, '')}`,
        join(examplesDir, name),
        `examples/${name}`,
        'example',
      ),
    ),
  );
  return [...given, ...examples];
}

async function readDesign(
  id: string,
  file: string,
  shownPath: string,
  source: DesignEntry['source'],
): Promise<DesignEntry> {
  const name = basename(file);
  try {
    const text = await readFile(file, 'utf8');
    return { id, name, title: titleOf(text) ?? name, source, path: shownPath, text };
  } catch (thrown) {
    const reason = thrown instanceof Error && 'code' in thrown ? String(thrown.code) : 'unreadable';
    return {
      id,
      name,
      title: name,
      source,
      path: shownPath,
      text: '',
      readError: `cannot read ${file} (${reason})`,
    };
  }
}

/** `# Seed design: "Configuration 1: BGP-based configuration"` → `Configuration 1: BGP-based configuration`. */
export function titleOf(text: string): string | undefined {
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (!line.startsWith('#')) return undefined;
    const comment = line.replace(/^#+\s*/, '');
    if (comment === '') continue;
    return comment.replace(/^Seed design:\s*/i, '').replace(/["“”]/g, '');
  }
  return undefined;
}
