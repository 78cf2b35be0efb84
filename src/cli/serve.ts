import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { createWebServer, listenLoopback } from '../server/app.ts';
import { loadWebAssets } from '../server/assets.ts';
import { buildWeb, DEFAULT_WEB_OUT_DIR, PROJECT_ROOT } from '../server/build-web.ts';
import { listDesigns } from '../server/designs.ts';

const DEFAULT_PORT = 8740;

/**
 * `vwan-ha serve [topology …] [--port N]`: the web UI on 127.0.0.1. The page runs
 * the simulator itself; the server only hands it the page and the topologies.
 */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('open the web UI on 127.0.0.1: see the gateway, break it, watch traffic move')
    .argument('[topology...]', 'topology files (YAML or JSON) to list next to the examples')
    .option('--port <n>', `port on 127.0.0.1 (0 picks a free one)`, String(DEFAULT_PORT))
    .option('--no-build', 'serve the page already built in dist/web instead of bundling it first')
    .action(async (files: string[], options: { port: string; build: boolean }) => {
      process.exitCode = await serveCommand(files, options);
    });
}

export async function serveCommand(
  files: readonly string[],
  options: { port: string; build: boolean },
): Promise<number> {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`error: --port ${options.port} is not a port number (0–65535)\n`);
    return 1;
  }
  for (const file of files) {
    try {
      await access(file);
    } catch {
      process.stderr.write(`error: ${file}: no such file\n`);
      return 1;
    }
  }
  if (options.build) {
    try {
      const built = await buildWeb();
      process.stdout.write(`built the page in ${built.ms} ms\n`);
    } catch (thrown) {
      process.stderr.write(
        `error: could not bundle the web UI: ${thrown instanceof Error ? thrown.message : String(thrown)}\n`,
      );
      return 1;
    }
  }
  let assets: Awaited<ReturnType<typeof loadWebAssets>>;
  try {
    assets = await loadWebAssets(DEFAULT_WEB_OUT_DIR);
  } catch {
    process.stderr.write(
      `error: no built page in ${DEFAULT_WEB_OUT_DIR}; run \`npm run build:web\` or drop --no-build\n`,
    );
    return 1;
  }
  const examplesDir = join(PROJECT_ROOT, 'examples');
  const server = createWebServer({ assets, designs: () => listDesigns(examplesDir, files) });
  let address: { url: string };
  try {
    address = await listenLoopback(server, port);
  } catch (thrown) {
    const code = thrown instanceof Error && 'code' in thrown ? String(thrown.code) : String(thrown);
    process.stderr.write(
      `error: cannot listen on 127.0.0.1:${port} (${code})${code === 'EADDRINUSE' ? '; pick another with --port' : ''}\n`,
    );
    return 1;
  }
  const listed = files.length === 0 ? 'the example designs' : `${files.join(', ')} and the example designs`;
  process.stdout.write(`vwan-ha web UI: ${address.url}  (${listed}; Ctrl+C stops)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.close(() => resolve());
      server.closeAllConnections();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}
