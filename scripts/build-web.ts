// `npm run build:web`: bundles the web UI into dist/web (see src/server/build-web.ts).
import { buildWeb } from '../src/server/build-web.ts';

const outDir = process.argv[2];
const result = await buildWeb(outDir ? { outDir } : {});
process.stdout.write(
  `built web UI in ${result.outDir} (${Math.round(result.bytes / 1024)} KiB, ${result.ms} ms)\n`,
);
