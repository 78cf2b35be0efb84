import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The project root (this file is src/server/build-web.ts). */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where `build:web` and `serve` put the page. */
export const DEFAULT_WEB_OUT_DIR = join(PROJECT_ROOT, 'dist', 'web');

export interface WebBuildResult {
  readonly outDir: string;
  readonly bytes: number;
  readonly ms: number;
}

/**
 * Bundles web/ (and the platform-free simulator it imports from src/) into one
 * script and one stylesheet, uPlot included: the page loads nothing from the
 * network but its own server. esbuild comes with tsx, which the CLI already needs.
 */
export async function buildWeb(options: { outDir?: string; minify?: boolean } = {}): Promise<WebBuildResult> {
  const started = Date.now();
  const outDir = options.outDir ?? DEFAULT_WEB_OUT_DIR;
  const webDir = join(PROJECT_ROOT, 'web');
  await mkdir(outDir, { recursive: true });
  const result = await build({
    entryPoints: { app: join(webDir, 'main.ts') },
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    minify: options.minify ?? true,
    sourcemap: false,
    legalComments: 'eof',
    tsconfig: join(webDir, 'tsconfig.json'),
    metafile: true,
    logLevel: 'silent',
  });
  await copyFile(join(webDir, 'index.html'), join(outDir, 'index.html'));
  await copyFile(join(webDir, 'favicon.svg'), join(outDir, 'favicon.svg'));
  const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
  return { outDir, bytes, ms: Date.now() - started };
}
