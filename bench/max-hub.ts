/**
 * Benchmarks 2 and 5 (issue 7): a generated hub at Azure's scale — 1,000 sites,
 * BGP, two tunnels each (2,000 tunnels, 2,000 BGP sessions), 10 prefixes per site,
 * 1,000,000 flows, one simulated hour with keepalives, DPD and one unplanned
 * instance failure — and the scaling curve for 10, 100, 1,000 sites. Goal for the
 * big one: under 10 s wall and 2 GB peak RSS on a 2-core machine.
 *
 *   npx tsx bench/max-hub.ts [sites…]        e.g. npx tsx bench/max-hub.ts 10 100 1000
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { generateHub } from '../src/analysis/generate.ts';
import { scenarioSchema } from '../src/scenario/schema.ts';
import { simulate } from '../src/scenario/simulate.ts';
import { machineLine } from './machine.ts';

const FLOWS_PER_SITE = 1_000;

export function runHub(sites: number): string {
  const loaded = generateHub({ sites, prefixesPerSite: 10, vnets: 1 });
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join('; '));
  const scenario = scenarioSchema.parse({
    duration: '1h',
    traffic: { flowsPerPair: FLOWS_PER_SITE / 2, ratePps: 10 },
    events: ['fail IN_0 unplanned at 10m', 'recover IN_0 at 40m'],
  });
  // The run is one synchronous call, so a sampling timer never fires during it: ask the kernel for the
  // high-water mark instead (reset before each size), falling back to the RSS after the run elsewhere.
  resetPeakRss();
  const start = performance.now();
  const cpuBefore = process.cpuUsage();
  const result = simulate(loaded.topology, scenario, { trace: false });
  const wallMs = performance.now() - start;
  // CPU seconds too: on a shared machine, wall time says as much about the neighbours as about us.
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const peakRss = peakRssBytes() ?? process.memoryUsage().rss;
  return `  ${String(sites).padStart(5)} sites  ${String(sites * 2).padStart(5)} tunnels  ${result.flows.length.toLocaleString('en-US').padStart(9)} flows  ${(wallMs / 1000).toFixed(1).padStart(6)} s wall  ${cpuSeconds.toFixed(1).padStart(6)} s CPU  ${(peakRss / 2 ** 20).toFixed(0).padStart(6)} MiB peak RSS`;
}

/** Linux: writing 5 to clear_refs resets the process's peak RSS (VmHWM). */
function resetPeakRss(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // Not Linux, or not permitted: the figure is then the peak since the process started.
  }
}

function peakRssBytes(): number | undefined {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv.slice(2).map(Number);
  console.log(machineLine());
  console.log(
    `hub: BGP, 2 tunnels per site, 10 prefixes per site, ${FLOWS_PER_SITE} flows per site, 1 h, IN_0 unplanned at 10 min, back at 40 min`,
  );
  for (const sites of sizes.length > 0 ? sizes : [10, 100, 1000]) console.log(runHub(sites));
}
