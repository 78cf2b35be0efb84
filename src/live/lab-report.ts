/** Plain-text views of a lab: what runs where, and what a run measured. */
import { AZURE } from '../model/azure-defaults.ts';
import { formatDuration } from '../scenario/duration.ts';
import type { SessionStatus } from './lab-controller.ts';
import { INSTANCES, type LabPlan } from './lab-plan.ts';
import type { LabDirectionSummary, LabRunResult } from './lab-run.ts';

/** One line per namespace: its name, what it stands for, what runs in it. */
export function describeLab(plan: LabPlan, ns: (role: string) => string): string[] {
  return labRoles(plan).map(({ role, what }) => `  ${ns(role).padEnd(16)} ${what}`);
}

/** Every namespace role of the plan with what it stands for and what runs in it. */
export function labRoles(plan: LabPlan): { role: string; what: string }[] {
  const lines: { role: string; what: string }[] = [];
  const add = (role: string, what: string) => lines.push({ role, what });
  add('inet', 'the internet: bridge br0 joining every public IP');
  for (const id of INSTANCES) {
    const instance = plan.instances[id];
    add(
      instance.role,
      `${id}: public IP ${instance.publicIp}, BGP ${instance.bgpAddresses.join(', ')} (our BGP agent), IKE NAT to its tunnels`,
    );
  }
  for (const tunnel of plan.tunnels) {
    for (const id of INSTANCES) {
      const carrier = tunnel.carriers[id];
      if (!carrier) continue;
      const idle = id !== tunnel.instance ? ' (takes over when the IP moves)' : '';
      add(carrier.role, `Azure end of ${tunnel.id} on ${id}: charon${idle}`);
    }
  }
  add('hub', 'hub router: VNet prefixes to the VNet hosts, site prefixes over the instances (ECMP)');
  for (const vnet of plan.vnets) add(vnet.role, `VNet ${vnet.name} host ${vnet.hostAddress}`);
  for (const device of plan.devices) {
    for (const edge of device.edges)
      add(edge.role, `${device.name} link ${edge.link}: public IP ${edge.publicIp}, IKE NAT`);
    for (const tunnel of device.tunnels) {
      add(tunnel.role, `${device.name} end of ${tunnel.tunnelId}: charon (exported swanctl.conf)`);
    }
    add(
      device.role,
      `${device.name} router: ${device.routing === 'frr' ? 'FRR' : 'BIRD'} (exported config), LAN ${device.lanAddress}`,
    );
  }
  for (const location of plan.locations) {
    add(
      location.role,
      `site LAN of ${location.name} (${location.lanPrefix}): bridge joining its devices and host`,
    );
    add(
      location.hostRole,
      `LAN host of ${location.name} ${location.hostAddress}, default route over the serving devices`,
    );
  }
  return lines;
}

/**
 * One line per BGP session as Azure's side sees it; a session that is down says why (the
 * last NOTIFICATION, in the simulator's words) and whether the agent holds it down.
 */
export function describeSessions(sessions: readonly SessionStatus[]): string[] {
  return sessions.map((s) => {
    const head = `  BGP ${s.tunnelId} (${s.instance} ${s.azureAddress} ↔ ${s.deviceAddress}):`;
    if (s.established) return `${head} Established, ${s.prefixes} prefixes from the device`;
    const last = s.lastDown;
    const why = last
      ? ` — ${last.text} at ${new Date(last.atEpochMs).toISOString().slice(11, 23)}${last.bytes ? ` [${last.bytes}]` : ''}`
      : '';
    const held = s.heldDown
      ? `; held down: the device announced more prefixes than Azure takes per session (${AZURE.bgp.maxPrefixesPerSession.toLocaleString('en-US')}), and the instance takes no new session from it until it restarts (refused ${s.refused} since)`
      : '';
    return `${head} DOWN (dropped ${s.drops}×)${why}${held}`;
  });
}

function direction(summary: LabDirectionSummary): string {
  if (summary.flows === 0) return `${summary.direction}: no flows`;
  const resets =
    summary.flowsReset === undefined
      ? 'sessions re-established: not measurable'
      : `${summary.flowsReset} flows re-established sessions (${summary.sessionResets} times)`;
  return [
    `${summary.direction}: ${summary.flowsHit}/${summary.flows} flows hit (${Math.round(summary.shareHit * 100)} %),`,
    `worst outage ${formatDuration(summary.worstOutageMs)}, median ${formatDuration(summary.medianOutageMs)},`,
    `${summary.packetsLost}/${summary.packetsSent} probes lost; ${resets}`,
  ].join(' ');
}

export function formatLabRun(result: LabRunResult): string {
  const lines = [
    `lab run: ${result.scenario} on hub ${result.topology} (${result.timers} timers), ${formatDuration(result.durationMs)} of traffic at ${result.ratePps} pps per flow`,
    '',
    'events:',
    ...result.events.map((e) => {
      const heard = e.deviceHoldLeftMs
        ? ` — the device's hold timer had ${Object.values(e.deviceHoldLeftMs)
            .map((ms) => `${(ms / 1000).toFixed(2)} s`)
            .join(', ')} left`
        : '';
      const refused = e.rejected ? ` — REFUSED: ${e.rejected}` : '';
      return `  ${formatDuration(e.appliedAtMs).padStart(8)}  ${e.description}${heard}${refused}`;
    }),
    '',
    'measured:',
    `  ${direction(result.summary.toSite)}`,
    `  ${direction(result.summary.toAzure)}`,
    '',
    'flows hit (first path → outages):',
  ];
  for (const flow of result.flows) {
    if (flow.outages.length === 0) continue;
    const outages = flow.outages
      .map(
        (o) =>
          `${(o.startMs / 1000).toFixed(2)}–${(o.endMs / 1000).toFixed(2)} s (${((o.endMs - o.startMs) / 1000).toFixed(2)} s)`,
      )
      .join(', ');
    lines.push(
      `  #${flow.id} ${flow.direction} ${flow.src}:${flow.srcPort} → ${flow.dst} via ${flow.initialPath}: ${outages}`,
    );
  }
  return lines.join('\n');
}
