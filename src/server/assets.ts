import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface WebAsset {
  readonly body: Buffer;
  readonly contentType: string;
}

/**
 * The page's files, by URL path. This list is the whole of what the server can
 * send from disk: a request path is looked up here, never joined onto a folder.
 */
const WEB_FILES: readonly { readonly url: string; readonly file: string; readonly contentType: string }[] = [
  { url: '/', file: 'index.html', contentType: 'text/html; charset=utf-8' },
  { url: '/index.html', file: 'index.html', contentType: 'text/html; charset=utf-8' },
  { url: '/app.js', file: 'app.js', contentType: 'text/javascript; charset=utf-8' },
  { url: '/app.css', file: 'app.css', contentType: 'text/css; charset=utf-8' },
  { url: '/favicon.svg', file: 'favicon.svg', contentType: 'image/svg+xml' },
];

/** Reads the built page (see build-web.ts) into memory once; a missing file is an error worth stopping for. */
export async function loadWebAssets(builtDir: string): Promise<Map<string, WebAsset>> {
  const assets = new Map<string, WebAsset>();
  for (const entry of WEB_FILES) {
    const body = await readFile(join(builtDir, entry.file));
    assets.set(entry.url, { body, contentType: entry.contentType });
  }
  return assets;
}
