/**
 * The command line that runs one of our TypeScript scripts with this Node and the
 * project's tsx loader, inside `ip netns exec`. The loader is an absolute file URL, so
 * neither the working directory nor the namespace's view of the filesystem matters.
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export function tsxLoaderUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

/** `node --import <tsx> <script> ...args` for a script next to this file (e.g. `./endpoint.ts`). */
export function nodeScriptArgv(script: string, args: readonly string[]): string[] {
  const path = fileURLToPath(new URL(script, import.meta.url));
  return [process.execPath, '--import', tsxLoaderUrl(), path, ...args];
}
