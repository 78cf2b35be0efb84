import type { Command } from 'commander';
import { formatIssue, summarizeTopology } from '../model/index.ts';
import { loadTopologyFile } from '../model/load-file.ts';
import { formatSimulation } from '../report/text.ts';
import { simulate } from '../scenario/simulate.ts';
import { STANDARD_SCENARIOS, withSeed } from '../scenario/standard.ts';
import { loadScenarioFile } from './scenario-file.ts';

/**
 * `vwan-ha simulate <topology> [--scenario file] [--json] [--seed N]`: runs one
 * scenario (default: IN_0 unplanned failure and recovery) and prints what the
 * traffic felt, or the full metrics as JSON.
 */
export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('run a failure scenario on the simulator and report what every flow felt')
    .argument('<topology>', 'topology file (YAML or JSON)')
    .option(
      '-s, --scenario <file>',
      'scenario file (YAML or JSON); default: IN_0 unplanned failure at 1:00, recovery at 5:00',
    )
    .option('--seed <n>', 'random seed (overrides the scenario’s)')
    .option('--json', 'print the full metrics as JSON')
    .option('--trace', 'with --json: include the event trace')
    .action(
      async (
        file: string,
        options: { scenario?: string; seed?: string; json?: boolean; trace?: boolean },
      ) => {
        process.exitCode = await simulateCommand(file, options);
      },
    );
}

async function simulateCommand(
  file: string,
  options: { scenario?: string; seed?: string; json?: boolean; trace?: boolean },
): Promise<number> {
  const loaded = await loadTopologyFile(file);
  if (!loaded.ok) {
    for (const issue of loaded.errors) process.stderr.write(`error: ${formatIssue(issue, file)}\n`);
    return 1;
  }
  let seed: number | undefined;
  if (options.seed !== undefined) {
    seed = Number(options.seed);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      process.stderr.write(`error: --seed ${options.seed}: use a whole number from 0 to 4294967295\n`);
      return 1;
    }
  }
  let scenario = STANDARD_SCENARIOS[0];
  if (options.scenario) {
    const result = await loadScenarioFile(options.scenario);
    if (!result.ok) {
      for (const e of result.errors) process.stderr.write(`error: ${options.scenario}: ${e}\n`);
      return 1;
    }
    scenario = result.scenario;
  }
  if (!scenario) return 1;
  const problem = checkScenarioNames(loaded.topology, scenario);
  if (problem) {
    process.stderr.write(`error: ${options.scenario ?? 'scenario'}: ${problem}\n`);
    return 1;
  }
  const result = simulate(loaded.topology, withSeed(scenario, seed), { trace: options.trace === true });
  if (options.json) {
    const { trace, ...rest } = result;
    const body = {
      ...rest,
      topologySummary: summarizeTopology(loaded.topology),
      ...(options.trace ? { trace } : {}),
    };
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  } else {
    process.stdout.write(`${formatSimulation(result, summarizeTopology(loaded.topology))}\n`);
  }
  return 0;
}

/** Scenario events must name things the topology has; say which and what exists. */
export function checkScenarioNames(
  topology: Parameters<typeof simulate>[0],
  scenario: Parameters<typeof simulate>[1],
): string | undefined {
  const devices = topology.vpnSites.flatMap((s) => s.devices.map((d) => d.name));
  const links = topology.vpnSites.flatMap((s) => s.devices.flatMap((d) => d.vpnSiteLinks.map((l) => l.name)));
  const linkConnections = topology.vpnConnections.flatMap((c) => c.vpnLinkConnections);
  for (const [index, event] of scenario.events.entries()) {
    const where = `events[${index}]`;
    if ('device' in event && !devices.includes(event.device)) {
      return `${where}.device: no device named "${event.device}"; the topology has ${devices.join(', ')}`;
    }
    if ('link' in event && !links.includes(event.link)) {
      return `${where}.link: no site link named "${event.link}"; the topology has ${links.join(', ')}`;
    }
    if ('tunnel' in event) {
      const lc = linkConnections.find((l) => l.name === event.tunnel.linkConnection);
      if (!lc) {
        return `${where}.tunnel.linkConnection: no link connection "${event.tunnel.linkConnection}"; the topology has ${linkConnections.map((l) => l.name).join(', ')}`;
      }
      if (!lc.instances.includes(event.tunnel.instance)) {
        return `${where}.tunnel.instance: ${lc.name} has no tunnel to ${event.tunnel.instance}; it has ${lc.instances.join(', ')}`;
      }
    }
  }
  return undefined;
}
