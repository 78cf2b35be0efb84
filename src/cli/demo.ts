import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { loadTopologyFile } from '../model/load-file.ts';
import { formatTable } from '../report/table.ts';
import { formatDuration } from '../scenario/duration.ts';
import { simulate } from '../scenario/simulate.ts';
import { STANDARD_SCENARIOS } from '../scenario/standard.ts';
import { serveCommand } from './serve.ts';

const EXAMPLES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples');

/**
 * `vwan-ha demo` (what `npm start` runs, with --serve): every design of the seed
 * through the standard failures, side by side — the seed's argument, measured —
 * then the web UI to watch any of them fail.
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      "run the seed's designs (examples/) through planned and unplanned instance failures and compare",
    )
    .option('--serve', 'then open the web UI on 127.0.0.1 to watch them (Ctrl+C stops)')
    .option('--port <n>', 'port for --serve (0 picks a free one)', '8740')
    .action(async (options: { serve?: boolean; port: string }) => {
      const code = await demoCommand();
      process.exitCode =
        code === 0 && options.serve ? await serveCommand([], { port: options.port, build: true }) : code;
    });
}

async function demoCommand(): Promise<number> {
  const files = (await readdir(EXAMPLES)).filter((f) => f.endsWith('.yaml')).sort();
  const rows: string[][] = [];
  for (const file of files) {
    const loaded = await loadTopologyFile(join(EXAMPLES, file));
    if (!loaded.ok) {
      process.stderr.write(`error: examples/${file} does not load\n`);
      return 1;
    }
    const row = [file.replace(/\.yaml$/, '')];
    for (const scenario of STANDARD_SCENARIOS) {
      const { toSite, toAzure } = simulate(loaded.topology, scenario, { trace: false }).summary;
      const worst = Math.max(toSite.worstOutageMs, toAzure.worstOutageMs);
      const hit = (toSite.flowsHit + toAzure.flowsHit) / Math.max(1, toSite.flows + toAzure.flows);
      const resets =
        (toSite.sessionResets + toAzure.sessionResets) / Math.max(1, toSite.flows + toAzure.flows);
      row.push(`${(hit * 100).toFixed(0)} %`, formatDuration(worst), resets.toFixed(1));
    }
    rows.push(row);
  }
  const header = ['design'];
  for (const scenario of STANDARD_SCENARIOS) {
    const tag = scenario.name.replace('IN_0 ', '');
    header.push(`${tag}: flows hit`, 'worst outage', 'resets/flow');
  }
  process.stdout.write(
    [
      "vwan-ha — the seed's designs under an instance failure at 1:00 and its recovery at 5:00",
      '(simulated, both directions, 20 flows per VNet×site pair each way; resets/flow = sessions re-established per flow)',
      '',
      formatTable(header, rows),
      '',
      'Next: vwan-ha simulate examples/bgp-active-active.yaml · vwan-ha sweep <your topology> · vwan-ha --help',
      '',
    ].join('\n'),
  );
  return 0;
}
