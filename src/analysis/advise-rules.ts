/**
 * Advise's rules about the design's shape: single tunnels, single points of
 * failure, traffic still lost while a failure lasts, sites broken without any
 * failure. Protocol settings (BGP address, timers, IKE roles, DPD …) are in
 * advise-protocol-rules.ts. Every rule states what the sweep or a targeted run
 * measured. Platform-free.
 */
import { AZURE } from '../model/azure-defaults.ts';
import { formatPath, type TopologyIssue } from '../model/issues.ts';
import type { DraftFinding } from './advise.ts';
import {
  apipaRule,
  bgpTimersRule,
  detectionRule,
  ecmpOffRule,
  ikeRolesRule,
  prefixLimitRule,
  tunnelInterfaceRule,
} from './advise-protocol-rules.ts';
import {
  type AdviceRule,
  clock,
  count,
  directionsText,
  duration,
  failureById,
  locationImpact,
  locationOf,
  percent,
  plural,
} from './advise-support.ts';
import { describeElement, type FailureElement } from './failures.ts';
import type { FailureResult, SiteDirection } from './sweep.ts';
import { placeDevices, placeLinkConnections } from './topology-views.ts';

const pathEquals = (issue: TopologyIssue, path: readonly (string | number)[]) =>
  formatPath(issue.path) === formatPath(path);

/**
 * Static single tunnel (seed, "Single Tunnel Configuration"): the public IP and
 * the tunnel move to the other instance and back, so every maintenance resets the
 * tunnel's sessions twice. Measured on the sweep's planned and unplanned failures.
 */
const singleTunnelRule: AdviceRule = (context) => {
  const findings: DraftFinding[] = [];
  for (const lc of placeLinkConnections(context.topology)) {
    if (lc.linkConnection.enableBgp || lc.resolved.instances.length !== 1) continue;
    const instance = lc.resolved.instances[0] as string;
    const other = instance === 'IN_0' ? 'IN_1' : 'IN_0';
    const location = locationOf(context, lc.resolved.site.name);
    const planned = failureById(context, `${instance} planned`);
    const unplanned = failureById(context, `${instance} unplanned`);
    const paths = [formatPath([...lc.path, 'instances'])];
    const base = {
      rule: 'single-tunnel',
      subject: `link connection ${lc.linkConnection.name}`,
      paths,
      fix: `build the second tunnel: instances: [IN_0, IN_1] on ${lc.linkConnection.name} (the seed's dual tunnel, Configuration 2) or BGP active-active (Configuration 1). Flows then move to the other tunnel, already up, and keep their sessions; nothing moves back on failback.`,
      explains: (issue: TopologyIssue) => pathEquals(issue, [...lc.path, 'instances']),
    };
    if (!planned || !unplanned || !planned.failback || !unplanned.failback) {
      findings.push({
        ...base,
        severity: 'high',
        title: `single static tunnel to ${instance}: each ${instance} maintenance resets its sessions twice`,
        evidence: `not simulated (the sweep could not run ${instance}'s failures). The seed: the public IP and the tunnel move to ${other} and back, "causing the user sessions to be re-established again".`,
        simulated: false,
        measurements: {},
      });
      continue;
    }
    const impact = locationImpact(context, planned, location);
    const shareReset = impact.flows === 0 ? 0 : impact.flowsReset / impact.flows;
    const perFlow = impact.flowsReset === 0 ? 0 : impact.sessionResets / impact.flowsReset;
    const times =
      Math.abs(perFlow - 2) < 0.05
        ? 'twice'
        : Math.abs(perFlow - 1) < 0.05
          ? 'once'
          : `${perFlow.toFixed(1)} times`;
    const unplannedImpact = locationImpact(context, unplanned, location);
    findings.push({
      ...base,
      severity: shareReset >= 0.99 ? 'high' : shareReset > 0 ? 'medium' : 'low',
      title: `single static tunnel to ${instance}: each ${instance} maintenance resets ${shareReset >= 0.99 ? 'every session' : `${percent(shareReset)} of the sessions`} of ${location}${times === 'twice' || times === 'once' ? ` ${times}` : ''}`,
      evidence:
        `${instance} maintenance resets ${percent(shareReset)} of ${location}'s sessions ${times} ` +
        `(${count(impact.flowsReset)} of ${count(impact.flows)} flows): ` +
        `${duration(planned.failover.worstOutageMs)} outage on failover, ${duration(planned.failback.worstOutageMs)} on failback, ` +
        `as the public IP ${context.topology.vpnGateway.instances.find((i) => i.id === instance)?.tunnelIpAddress ?? ''} moves to ${other} and back. ` +
        `An unplanned ${instance} failure: ${duration(unplanned.failover.worstOutageMs)} on failover, ` +
        `${duration(unplanned.failback.worstOutageMs)} on failback, ${count(unplannedImpact.sessionResets)} sessions re-established.`,
      simulated: true,
      measurements: {
        shareOfSessionsReset: shareReset,
        resetsPerResetFlow: perFlow,
        plannedFailoverOutageMs: planned.failover.worstOutageMs,
        plannedFailbackOutageMs: planned.failback.worstOutageMs,
        unplannedFailoverOutageMs: unplanned.failover.worstOutageMs,
        unplannedFailbackOutageMs: unplanned.failback.worstOutageMs,
      },
    });
  }
  return findings;
};

function cutOffText(cut: readonly SiteDirection[]): string {
  const bySite = new Map<string, SiteDirection[]>();
  for (const c of cut) bySite.set(c.site, [...(bySite.get(c.site) ?? []), c]);
  return [...bySite]
    .map(([site, entries]) => {
      const flows = entries.reduce((s, e) => s + e.flows, 0);
      return `${site} (${directionsText(entries.map((e) => e.direction))}: all ${count(flows)} flows)`;
    })
    .join(', ');
}

/**
 * Single points of failure from the sweep (criterion in sweep.ts). A device or its
 * internet path → no device diversity (medium: the Azure side is redundant; the
 * branch chose one box — the seed offers the second device "for diversity"). An
 * instance or a tunnel → high: Azure services its instances, so this will happen.
 */
const singlePointRule: AdviceRule = (context) => {
  const { timing } = context.options;
  const window = `from ${clock(timing.failAtMs)} until it returned at ${clock(timing.recoverAtMs)}`;
  const findings: DraftFinding[] = [];
  const spofs = context.sweep.failures.filter((f) => f.singlePointOfFailure);
  const byDevice = new Map<string, FailureResult[]>();
  for (const f of spofs) {
    const element = f.elements[0] as FailureElement;
    if (element.kind === 'device' || element.kind === 'internetPath') {
      byDevice.set(element.device, [...(byDevice.get(element.device) ?? []), f]);
      continue;
    }
    const instanceLike = element.kind === 'instance';
    findings.push({
      rule: instanceLike ? 'instance-cuts-off' : 'tunnel-does-not-recover',
      severity: 'high',
      title: instanceLike
        ? `single point of failure: ${describeElement(element)} cuts ${cutOffSites(f)} off`
        : `single point of failure: after ${describeElement(element)} the tunnel does not carry traffic again`,
      subject: f.id,
      evidence:
        `${describeElement(element)}: ${cutOffText(f.cutOff)} lost every packet of the last ` +
        `${duration(timing.settleWindowMs)} before ${clock(timing.recoverAtMs)}` +
        (instanceLike ? ` (the outage lasted ${duration(f.failover.worstOutageMs)})` : '') +
        `${f.bgpSessionsDropped > 0 ? `; ${plural(f.bgpSessionsDropped, 'BGP session')} dropped` : ''}.`,
      fix: instanceLike
        ? 'give every site a tunnel to each instance (instances: [IN_0, IN_1] on its link connections): Azure services one instance at a time, and only a static single tunnel moves its public IP — a BGP tunnel to the serviced instance is simply down.'
        : 'check that both ends may start IKE again after a reset (vpnLinkConnectionMode and the device role), and that the device re-initiates.',
      simulated: true,
      measurements: {
        outageMs: Math.max(f.toSite.worstOutageMs, f.toAzure.worstOutageMs),
        bgpSessionsDropped: f.bgpSessionsDropped,
      },
      paths: [],
      explains: (issue) => instanceLike && issue.message.startsWith('BGP over a single tunnel'),
      explainsFailures: [f.id],
    });
  }
  for (const [device, failures] of byDevice) {
    const deviceFailure = failures.find((f) => f.elements[0]?.kind === 'device');
    const pathFailures = failures.filter((f) => f.elements[0]?.kind === 'internetPath');
    const first = failures[0] as FailureResult;
    const parts: string[] = [];
    if (deviceFailure) {
      const resets = deviceFailure.failback?.sessionResets ?? 0;
      parts.push(
        `device ${device} failing cut ${cutOffText(deviceFailure.cutOff)} off: every flow lost every packet ${window}` +
          (resets > 0
            ? `, and ${count(resets)} sessions were re-established after the device came back`
            : '') +
          '.',
      );
    }
    for (const p of pathFailures) {
      const element = p.elements[0];
      const ip = element?.kind === 'internetPath' ? element.ipAddress : '';
      parts.push(`Its internet path (${ip}) going down cut ${cutOffText(p.cutOff)} off the same way.`);
    }
    const placed = placeDevices(context.topology).find((d) => d.device.name === device);
    findings.push({
      rule: 'no-device-diversity',
      severity: 'medium',
      title: deviceFailure
        ? `no device diversity: ${device} is a single point of failure for ${cutOffSites(first)}`
        : `no internet path diversity: ${device}'s internet path is a single point of failure`,
      subject: `device ${device}`,
      evidence: parts.join(' '),
      fix: 'add a second VPN device as its own VPN site, with tunnels to IN_0 and IN_1 and the same prefixes (seed: "For diversity, a second remote VPN GW may be added"); on a second internet provider it also removes the shared path.',
      simulated: true,
      measurements: {
        deviceFailureOutageMs: deviceFailure
          ? Math.max(deviceFailure.toSite.worstOutageMs, deviceFailure.toAzure.worstOutageMs)
          : 0,
        failuresCuttingOff: failures.length,
      },
      paths: placed ? [formatPath(placed.path)] : [],
      explainsFailures: failures.map((f) => f.id),
    });
  }
  return findings;
};

function cutOffSites(f: FailureResult): string {
  return [...new Set(f.cutOff.map((c) => c.site))].join(', ');
}

/**
 * Loss that lasts while a failure lasts, for only some flows (a partial black
 * hole), when no earlier finding explains it. An internet path down behind a site
 * with several devices is the site LAN's doing: the simulated LAN moves traffic off
 * a dead device only (VRRP-like), so the device with the dead uplink keeps its share.
 */
const persistentLossRule: AdviceRule = (context, earlier) => {
  const explained = new Set(earlier.flatMap((f) => f.explainsFailures ?? []));
  const findings: DraftFinding[] = [];
  const { timing } = context.options;
  for (const f of context.sweep.failures) {
    if (f.elements.length !== 1 || f.stillLosing.length === 0 || f.cutOff.length > 0 || explained.has(f.id))
      continue;
    const element = f.elements[0] as FailureElement;
    const losing = f.stillLosing
      .map(
        (s) =>
          `${percent(s.flowsLosing / s.flows)} of ${s.site}'s ${s.direction === 'toSite' ? 'Azure→site' : 'site→Azure'} flows (${s.flowsLosing} of ${s.flows})`,
      )
      .join(', ');
    const lanCase = element.kind === 'internetPath' && f.stillLosing.every((s) => s.direction === 'toAzure');
    findings.push({
      rule: lanCase ? 'lan-uplink-tracking' : 'persistent-loss',
      severity: lanCase ? 'low' : 'medium',
      title: lanCase
        ? `the site LAN keeps sending to ${element.device} while its internet path is down`
        : `${describeElement(element)} leaves some flows black-holed for as long as it lasts`,
      subject: f.id,
      evidence: lanCase
        ? `${describeElement(element)}: the device stays up, so the site LAN keeps handing it ${losing}, which it cannot forward — lost for the whole outage (${clock(timing.failAtMs)}–${clock(timing.recoverAtMs)}). The simulated LAN moves traffic off a device only when the device dies (VRRP-like); the topology file does not say whether your LAN tracks the uplink.`
        : `${describeElement(element)}: ${losing} still lost every packet in the last ${duration(timing.settleWindowMs)} before the element returned; the other flows had moved.`,
      fix: lanCase
        ? 'track the uplink on the site LAN (VRRP/HSRP interface or object tracking, IP SLA) or run a routing protocol between the LAN and the devices, so a device without tunnels stops attracting traffic.'
        : 'make sure the side that still sends into the failed path can detect it: DPD on static tunnels, BGP with routes withdrawn when the tunnel goes down, ECMP on the device.',
      simulated: true,
      measurements: {
        flowsLosing: f.stillLosing.reduce((s, e) => s + e.flowsLosing, 0),
        flows: f.stillLosing.reduce((s, e) => s + e.flows, 0),
      },
      paths: [],
    });
  }
  return findings;
};

/** A site that loses traffic with no failure at all, unless a protocol rule already said why. */
const brokenWithoutFailureRule: AdviceRule = (context, earlier) => {
  const explained = new Set(earlier.flatMap((f) => f.explainsFailures ?? []));
  const baseline = context.sweep.baseline;
  const broken = baseline.sites.filter(
    (s) => s.flowsLosingThroughoutWindow > 0 && !explained.has(`baseline:${s.site}`),
  );
  if (broken.length === 0) return [];
  return [
    {
      rule: 'broken-without-failure',
      severity: 'high',
      title: 'traffic is lost with no failure at all',
      subject: [...new Set(broken.map((s) => s.site))].join(', '),
      evidence: `in the no-failure run, ${broken
        .map(
          (s) =>
            `${s.flowsLosingThroughoutWindow} of ${s.flows} ${s.direction === 'toSite' ? 'Azure→site' : 'site→Azure'} flows of ${s.site}`,
        )
        .join(
          ', ',
        )} were still losing every packet ${duration(context.options.timing.recoverAtMs)} after the traffic started.`,
      fix: 'check that the tunnels come up (IKE roles, addresses) and that both sides have routes: run `vwan-ha simulate <topology> --json --trace` and look for ike.established and bgp.established.',
      simulated: true,
      measurements: { flowsLosing: broken.reduce((s, e) => s + e.flowsLosingThroughoutWindow, 0) },
      paths: [],
    },
  ];
};

const simulationErrorRule: AdviceRule = (context) => {
  const errors = [context.sweep.baseline, ...context.sweep.failures].filter((f) => f.error !== null);
  if (errors.length === 0) return [];
  return [
    {
      rule: 'simulation-error',
      severity: 'info',
      title: `the simulator could not run ${plural(errors.length, 'scenario')}`,
      subject: errors.map((e) => e.id).join(', '),
      evidence: `first error: ${errors[0]?.error ?? ''}`,
      fix: 'the findings above rest on the scenarios that did run; report this to the vwan-ha maintainers with the topology.',
      simulated: false,
      measurements: { scenarios: errors.length },
      paths: [],
    },
  ];
};

/** What the sweep found overall: the info line a design review starts from. */
const sweepSummaryRule: AdviceRule = (context) => {
  const { totals, failures } = context.sweep;
  const worst = failures.find((f) => f.id === totals.worstOutageFailure);
  const unplanned = failures.filter((f) => f.kind === 'instance-unplanned');
  const toSite = Math.max(0, ...unplanned.map((f) => f.toSite.worstOutageMs));
  return [
    {
      rule: 'sweep-summary',
      severity: 'info',
      title:
        totals.singlePointsOfFailure.length === 0
          ? `no single point of failure in ${plural(totals.failures, 'single failure')}`
          : `${plural(totals.singlePointsOfFailure.length, 'single point')} of failure in ${plural(totals.failures, 'single failure')}`,
      subject: context.sweep.design,
      evidence:
        `${plural(totals.failures, 'failure')} simulated (each at ${clock(context.options.timing.failAtMs)}, back at ${clock(context.options.timing.recoverAtMs)}); ` +
        `${plural(totals.failuresResettingSessions, 'failure')} re-established sessions; ` +
        (worst ? `longest outage ${duration(totals.worstOutageMs)} (${worst.id}). ` : 'no outage. ') +
        (toSite > 0
          ? `The unplanned instance failures cost Azure→site flows up to ${duration(toSite)}; no design does better than the platform's detection, assumed ${duration(AZURE.platform.unplannedDetectionMs)} (the lower bound of the documented 1–1.5 min), while the hub keeps sending to the dead instance.`
          : ''),
      fix: 'nothing to change for this; see the other findings.',
      simulated: true,
      measurements: {
        failures: totals.failures,
        singlePointsOfFailure: totals.singlePointsOfFailure.length,
        worstOutageMs: totals.worstOutageMs,
      },
      paths: [],
    },
  ];
};

/** In order: specific rules first, generic ones (which skip what is explained) after. */
export const ADVICE_RULES: readonly AdviceRule[] = [
  singleTunnelRule,
  singlePointRule,
  tunnelInterfaceRule,
  ecmpOffRule,
  bgpTimersRule,
  ikeRolesRule,
  apipaRule,
  prefixLimitRule,
  detectionRule,
  persistentLossRule,
  brokenWithoutFailureRule,
  simulationErrorRule,
  sweepSummaryRule,
];
