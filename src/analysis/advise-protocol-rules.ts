/**
 * Advise's rules about protocol settings — where the BGP address lives, ECMP,
 * BGP timers, IKE roles, APIPA peering, the prefix limit, and which failure
 * detection (DPD or the BGP hold timer) fires first — each shown by a targeted
 * run against the same design with the setting fixed. Platform-free.
 */
import { AZURE, type InstanceId } from '../model/azure-defaults.ts';
import { formatPath, type TopologyIssue } from '../model/issues.ts';
import type { VpnSiteDevice } from '../model/schema.ts';
import { isApipa, parseIpv4 } from '../net/ipv4.ts';
import { dpdPlan } from '../protocols/ike/dpd-plan.ts';
import type { SimulationResult } from '../scenario/simulate.ts';
import type { DraftFinding } from './advise.ts';
import {
  type AdviceContext,
  type AdviceRule,
  bgpEntries,
  clock,
  count,
  duration,
  failureById,
  locationImpact,
  locationOf,
  measureVariant,
  percent,
  plural,
  tracedRun,
} from './advise-support.ts';
import type { FailureMeasurement } from './sweep.ts';
import {
  type PlacedDevice,
  type PlacedLinkConnection,
  placeDevices,
  placeLinkConnections,
  withDevices,
  withLinkConnections,
} from './topology-views.ts';

const INSTANCES: readonly InstanceId[] = ['IN_0', 'IN_1'];

const pathIs = (issue: TopologyIssue, path: readonly (string | number)[]) => {
  const text = formatPath(issue.path);
  const wanted = formatPath(path);
  return text === wanted || text.startsWith(`${wanted}.`);
};

function bgpLinkConnections(device: PlacedDevice): PlacedLinkConnection[] {
  return device.linkConnections.filter((lc) => lc.linkConnection.enableBgp && lc.resolved.link.bgpProperties);
}

function tunnelIds(lcs: readonly PlacedLinkConnection[]): string[] {
  return lcs.flatMap((lc) => lc.resolved.instances.map((i) => `${lc.linkConnection.name}@${i}`));
}

/** "branch1-fw1: transport closed" from `branch1-fw1/bgp:…` and its reason. */
function endReason(entry: SimulationResult['trace'][number]): string {
  const end = entry.source.split('/bgp:')[0] ?? entry.source;
  return `${end}: ${String(entry.detail?.reason ?? 'down')}`;
}

/** Flows of a location in a run's results: how many, how many lost packets, packets lost. */
function flowLoss(result: SimulationResult, location: string) {
  const mine = result.flows.filter((f) => f.site === location);
  return {
    flows: mine.length,
    flowsHit: mine.filter((f) => f.lost > 0).length,
    flowsDead: mine.filter((f) => f.delivered === 0 && f.sent > 0).length,
    packetsLost: mine.reduce((s, f) => s + f.lost, 0),
  };
}

/**
 * BGP sourced from a tunnel interface goes down with its tunnel; from a loopback it
 * rides out a short tunnel outage on TCP retransmissions (seed: "it is recommended
 * the BGP address be associated with a loopback interface"). Shown by a tunnel reset.
 */
export const tunnelInterfaceRule: AdviceRule = (context) => {
  const findings: DraftFinding[] = [];
  const { failAtMs } = context.options.timing;
  for (const placed of placeDevices(context.topology)) {
    if (placed.device.bgpAddressOn !== 'tunnel') continue;
    const lc = bgpLinkConnections(placed)[0];
    const instance = lc?.resolved.instances[0];
    if (!lc || !instance) continue;
    const tunnelId = `${lc.linkConnection.name}@${instance}`;
    const events = [
      { at: `${failAtMs}ms`, tunnel: { linkConnection: lc.linkConnection.name, instance }, action: 'reset' },
    ];
    const sites = [placed.site.name];
    const asIs = tracedRun(context, context.topology, {
      label: `reset ${tunnelId}, BGP on the tunnel`,
      sites,
      events,
    });
    const loopback = tracedRun(
      context,
      withDevices(context.topology, (d) =>
        d.name === placed.device.name ? { bgpAddressOn: 'loopback' } : undefined,
      ),
      { label: `reset ${tunnelId}, BGP on a loopback`, sites, events },
    );
    const base = {
      rule: 'bgp-on-tunnel-interface',
      subject: `device ${placed.device.name}`,
      fix: "put the BGP address on a loopback (bgpAddressOn: loopback), reachable over both tunnels, as the seed recommends: the session then survives a tunnel rebuild and only the tunnel's flows move.",
      paths: [formatPath([...placed.path, 'bgpAddressOn'])],
      explains: (issue: TopologyIssue) => pathIs(issue, [...placed.path, 'bgpAddressOn']),
    };
    if (!asIs.ok || !loopback.ok) {
      findings.push({
        ...base,
        severity: 'medium',
        title: `BGP on the tunnel interface: ${placed.device.name}'s sessions go down with their tunnels`,
        evidence: `not simulated (${asIs.ok ? '' : asIs.error}${!loopback.ok ? loopback.error : ''}).`,
        simulated: false,
        measurements: {},
      });
      continue;
    }
    const after = (entries: SimulationResult['trace']) => entries.filter((e) => e.atMs >= failAtMs);
    const downs = after(bgpEntries(asIs.result, [tunnelId], 'bgp.down'));
    const loopDowns = after(bgpEntries(loopback.result, [tunnelId], 'bgp.down'));
    const backAt = Math.max(
      failAtMs,
      ...after(bgpEntries(asIs.result, [tunnelId], 'bgp.established')).map((e) => e.atMs),
    );
    const tunnelUp = asIs.result.trace.find(
      (e) =>
        e.event === 'ike.tunnel' &&
        e.atMs >= failAtMs &&
        e.source === `${tunnelId}/device` &&
        e.detail?.up === true,
    );
    findings.push({
      ...base,
      severity: downs.length > 0 ? 'medium' : 'low',
      title: `BGP on the tunnel interface: ${placed.device.name}'s BGP session flaps whenever its tunnel is rebuilt`,
      evidence:
        `resetting tunnel ${tunnelId} at ${clock(failAtMs)}: the tunnel was back ${tunnelUp ? duration(tunnelUp.atMs - failAtMs) : 'soon'} later, ` +
        (downs.length > 0
          ? `but its BGP session went down with the tunnel interface (${downs.length} × bgp.down — ${downs.map(endReason).join('; ')}) and was re-established only ${duration(backAt - failAtMs)} after the reset, its routes withdrawn and learnt again. `
          : 'and its BGP session stayed up. ') +
        `With the BGP address on a loopback the same reset dropped ${loopDowns.length === 0 ? 'no session' : plural(loopDowns.length, 'session')}.`,
      simulated: true,
      measurements: {
        bgpDownEvents: downs.length,
        bgpDownEventsWithLoopback: loopDowns.length,
        reestablishedAfterMs: backAt - failAtMs,
      },
    });
  }
  return findings;
};

/**
 * ECMP off on a device with two tunnels: all site→Azure traffic rides one tunnel,
 * so losing that tunnel's instance interrupts all of it, and the other tunnel idles.
 * Contrast: the sweep's unplanned instance failures against the same with ECMP on.
 */
export const ecmpOffRule: AdviceRule = (context) => {
  const flagged = placeDevices(context.topology).filter((d) => !d.device.ecmp && d.tunnels >= 2);
  if (flagged.length === 0) return [];
  const names = new Set(flagged.map((d) => d.device.name));
  const variant = withDevices(context.topology, (d) => (names.has(d.name) ? { ecmp: true } : undefined));
  const withEcmp = new Map<InstanceId, FailureMeasurement>();
  for (const instance of INSTANCES) {
    withEcmp.set(
      instance,
      measureVariant(context, variant, [{ kind: 'instance', instance, mode: 'unplanned' }]),
    );
  }
  const findings: DraftFinding[] = [];
  for (const placed of flagged) {
    const location = locationOf(context, placed.site.name);
    const shares = INSTANCES.map((instance) => {
      const failure = failureById(context, `${instance} unplanned`);
      const asIs = failure ? locationImpact(context, failure, location, 'toAzure') : undefined;
      const fixed = withEcmp.get(instance);
      const ecmp =
        fixed && fixed.error === null ? locationImpact(context, fixed, location, 'toAzure') : undefined;
      return {
        instance,
        share: asIs && asIs.flows > 0 ? asIs.flowsHit / asIs.flows : 0,
        outageMs: asIs?.worstOutageMs ?? 0,
        ecmpShare: ecmp && ecmp.flows > 0 ? ecmp.flowsHit / ecmp.flows : 0,
      };
    });
    const worst = shares.reduce((a, b) => (b.share > a.share ? b : a));
    const idle = shares.find((s) => s.share === 0 && s.instance !== worst.instance);
    const ecmpWorst = Math.max(...shares.map((s) => s.ecmpShare));
    findings.push({
      rule: 'ecmp-off',
      severity: worst.share > ecmpWorst ? 'medium' : 'low',
      title: `ECMP off on ${placed.device.name}: one tunnel carries all site→Azure traffic, the other idles`,
      subject: `device ${placed.device.name}`,
      evidence:
        `with ECMP off, ${worst.instance} failing (unplanned) interrupted ${percent(worst.share)} of ${location}'s site→Azure flows, for up to ${duration(worst.outageMs)}` +
        (idle
          ? `; ${idle.instance} failing interrupted none — its tunnel carries no site→Azure traffic`
          : '') +
        `. With ECMP on, the worse of the two instance failures interrupts ${percent(ecmpWorst)}.`,
      fix: 'turn ECMP on (ecmp: true; e.g. maximum-paths 2 for the two BGP sessions, or two equal static routes over the tunnel interfaces): each instance failure then interrupts only the flows that were on it.',
      simulated: true,
      measurements: {
        shareInterrupted: worst.share,
        shareInterruptedWithEcmp: ecmpWorst,
        outageMs: worst.outageMs,
      },
      paths: [formatPath([...placed.path, 'ecmp'])],
      explains: (issue) => pathIs(issue, [...placed.path, 'ecmp']),
    });
  }
  return findings;
};

const FLAP_RUN_MS = 30 * 60_000;

function timersOff(device: VpnSiteDevice): boolean {
  const { keepaliveSeconds, holdSeconds } = device.bgpTimers;
  return (
    holdSeconds < AZURE.bgp.holdSeconds || keepaliveSeconds === 0 || keepaliveSeconds >= AZURE.bgp.holdSeconds
  );
}

/**
 * BGP timers Azure does not match: Azure keeps its 60 s keepalive and 180 s hold
 * and does not negotiate them down, so a device hold time under 60 s expires
 * between Azure's keepalives. 30 minutes without any failure, flaps counted from
 * the trace (bgp.down).
 */
export const bgpTimersRule: AdviceRule = (context) => {
  const flagged = placeDevices(context.topology).filter(
    (d) => bgpLinkConnections(d).length > 0 && timersOff(d.device),
  );
  if (flagged.length === 0) return [];
  const run = tracedRun(context, context.topology, {
    label: 'BGP timers, no failure',
    sites: [...new Set(flagged.map((d) => d.site.name))],
    durationMs: FLAP_RUN_MS,
  });
  return flagged.map((placed): DraftFinding => {
    const { keepaliveSeconds, holdSeconds } = placed.device.bgpTimers;
    const ids = tunnelIds(bgpLinkConnections(placed));
    const base = {
      rule: 'bgp-hold-time',
      subject: `device ${placed.device.name}`,
      fix: `configure the device with Azure's timers, keepalive ${AZURE.bgp.keepaliveSeconds} s and hold ${AZURE.bgp.holdSeconds} s (Azure's are fixed and not negotiated down; BFD is not offered on S2S VPN, so faster detection comes from DPD, not BGP).`,
      paths: [formatPath([...placed.path, 'bgpTimers'])],
      explains: (issue: TopologyIssue) => pathIs(issue, [...placed.path, 'bgpTimers']),
    };
    if (!run.ok) {
      return {
        ...base,
        severity: holdSeconds > 0 && holdSeconds < AZURE.bgp.keepaliveSeconds ? 'high' : 'low',
        title: `BGP timers ${keepaliveSeconds}/${holdSeconds} s on ${placed.device.name} do not match Azure's 60/180 s`,
        evidence: `not simulated (${run.error}).`,
        simulated: false,
        measurements: {},
      };
    }
    const inRun = (e: { atMs: number }) => e.atMs >= 0;
    let flaps = 0;
    for (const id of ids) {
      const downs = bgpEntries(run.result, [id], 'bgp.down').filter(inRun);
      const deviceSide = downs.filter((e) => e.source.startsWith(`${placed.device.name}/`)).length;
      flaps += Math.max(deviceSide, downs.length - deviceSide);
    }
    const first = bgpEntries(run.result, ids, 'bgp.down').find(inRun);
    const established = bgpEntries(run.result, ids, 'bgp.established').find((e) =>
      e.source.startsWith(`${placed.device.name}/`),
    );
    const hold = Number(established?.detail?.holdTimeSec ?? Math.min(holdSeconds, AZURE.bgp.holdSeconds));
    const loss = flowLoss(run.result, locationOf(context, placed.site.name));
    const minutes = duration(FLAP_RUN_MS);
    if (flaps > 0) {
      return {
        ...base,
        severity: 'high',
        title: `BGP hold time ${holdSeconds} s on ${placed.device.name}: the sessions flap without any failure`,
        evidence:
          `in ${minutes} with no failure the device's ${plural(ids.length, 'BGP session')} went down ${count(flaps)} times ` +
          `(about every ${duration(Math.round(FLAP_RUN_MS / Math.max(1, flaps / ids.length)))} each; ${first ? endReason(first) : 'hold timer expired'}): ` +
          `the session negotiates hold ${hold} s, but Azure keeps sending keepalives only every ${AZURE.bgp.keepaliveSeconds} s. ` +
          `Each drop withdraws the routes: ${loss.flowsHit} of ${loss.flows} flows lost packets (${count(loss.packetsLost)} packets).`,
        simulated: true,
        measurements: {
          flaps,
          negotiatedHoldSeconds: hold,
          packetsLost: loss.packetsLost,
          runMs: FLAP_RUN_MS,
        },
      };
    }
    const slack = hold - AZURE.bgp.keepaliveSeconds;
    return {
      ...base,
      severity: 'low',
      title: `BGP timers ${keepaliveSeconds}/${holdSeconds} s on ${placed.device.name} are tighter than Azure's 60/180 s`,
      evidence:
        `${minutes} with no failure: no flap, negotiated hold ${hold} s. ` +
        (hold > 0
          ? `Azure's keepalives come every ${AZURE.bgp.keepaliveSeconds} s, so ${slack < AZURE.bgp.keepaliveSeconds ? 'a single lost keepalive' : `${Math.floor(hold / AZURE.bgp.keepaliveSeconds) - 1} lost keepalives in a row`} drop${slack < AZURE.bgp.keepaliveSeconds ? 's' : ''} the session (the simulator has no random loss, so it cannot show it).`
          : 'hold 0 turns the hold timer off: only DPD notices a dead peer.'),
      simulated: true,
      measurements: { flaps: 0, negotiatedHoldSeconds: hold, runMs: FLAP_RUN_MS },
    };
  });
};

/** Both ends ResponderOnly (nobody starts IKE) or both InitiatorOnly (each refuses the other). */
export const ikeRolesRule: AdviceRule = (context) => {
  const findings: DraftFinding[] = [];
  const total = context.options.timing.warmupMs + context.options.timing.durationMs;
  for (const lc of placeLinkConnections(context.topology)) {
    const deviceMode = lc.resolved.device.connectionMode;
    const azureMode = lc.linkConnection.vpnLinkConnectionMode;
    if (deviceMode !== azureMode || deviceMode === 'Default') continue;
    const location = locationOf(context, lc.resolved.site.name);
    const ids = lc.resolved.instances.map((i) => `${lc.linkConnection.name}@${i}`);
    const run = tracedRun(context, context.topology, {
      label: `IKE roles of ${lc.linkConnection.name}`,
      sites: [lc.resolved.site.name],
    });
    const ofTunnels = (e: { source: string }) => ids.some((id) => e.source.startsWith(`${id}/`));
    const established = run.ok
      ? run.result.trace.filter((e) => e.event === 'ike.established' && ofTunnels(e)).length
      : 0;
    const sends = run.ok ? run.result.trace.filter((e) => e.event === 'ike.send' && ofTunnels(e)).length : 0;
    const loss = run.ok ? flowLoss(run.result, location) : undefined;
    const why =
      deviceMode === 'ResponderOnly'
        ? 'neither side starts IKE'
        : "each side sends IKE_SA_INIT and refuses the other's";
    findings.push({
      rule: 'ike-roles-never-up',
      severity: established === 0 ? 'high' : 'medium',
      title: `${deviceMode} device facing a ${azureMode} link connection: the tunnels never come up`,
      subject: `link connection ${lc.linkConnection.name}`,
      evidence: run.ok
        ? `simulated ${duration(total)} from power-on: ${ids.join(' and ')} ${established === 0 ? 'never came up' : `came up ${established} times`} — ${why}` +
          ` (${plural(sends, 'IKE message')} sent, ${plural(established, 'IKE SA')} established); ` +
          `${loss ? `${loss.flowsDead} of ${location}'s ${loss.flows} flows never delivered a packet` : ''}.`
        : `not simulated (${run.error}); ${why}.`,
      fix: `set vpnLinkConnectionMode to Default (Azure both initiates and responds, VWAN's default) or let the device initiate (connectionMode: Default).`,
      simulated: run.ok,
      measurements: { ikeSasEstablished: established, ikeMessagesSent: sends },
      paths: [formatPath([...lc.path, 'vpnLinkConnectionMode'])],
      explains: (issue) => pathIs(issue, [...lc.path, 'vpnLinkConnectionMode']),
      explainsFailures: [`baseline:${location}`],
    });
  }
  return findings;
};

/**
 * An APIPA BGP address on the device: Azure does not open BGP towards APIPA peers
 * (VPN Gateway FAQ), so the device must. Shown: Azure's connection attempts in a run.
 */
export const apipaRule: AdviceRule = (context) => {
  const findings: DraftFinding[] = [];
  for (const placed of placeDevices(context.topology)) {
    const lcs = bgpLinkConnections(placed).filter((lc) => {
      const address = parseIpv4(lc.resolved.link.bgpProperties?.bgpPeeringAddress ?? '');
      return address.ok && isApipa(address.value);
    });
    if (lcs.length === 0) continue;
    const address = lcs[0]?.resolved.link.bgpProperties?.bgpPeeringAddress ?? '';
    const ids = tunnelIds(lcs);
    const run = tracedRun(context, context.topology, {
      label: `APIPA peering of ${placed.device.name}`,
      sites: [placed.site.name],
      durationMs: context.options.timing.failAtMs,
    });
    const responderOnly = lcs.filter((lc) => lc.linkConnection.vpnLinkConnectionMode === 'ResponderOnly');
    const dials = (azure: boolean) =>
      run.ok
        ? bgpEntries(run.result, ids, 'bgp.state').filter(
            (e) => e.source.startsWith('IN_') === azure && e.detail?.to === 'Connect',
          ).length
        : 0;
    const sessionsUp = run.ok
      ? new Set(
          bgpEntries(run.result, ids, 'bgp.established')
            .filter((e) => e.source.startsWith(`${placed.device.name}/`))
            .map((e) => e.source),
        ).size
      : 0;
    findings.push({
      rule: 'apipa-device-must-initiate',
      severity: 'medium',
      title: `APIPA BGP address ${address} on ${placed.device.name}: Azure never opens the session, the device must`,
      subject: `device ${placed.device.name}`,
      evidence:
        (run.ok
          ? `in the run Azure never opened TCP 179 towards ${address} (${dials(true)} connection attempts from IN_0 and IN_1 — they only listen); the device opened ${plural(sessionsUp, 'session')} of ${ids.length} (${dials(false)} attempts). `
          : `not simulated (${run.error}). `) +
        'Azure opens BGP only towards non-APIPA peers (VPN Gateway FAQ): a device left passive (listen-only) never brings BGP up, and after every failover it alone re-opens the session.' +
        (responderOnly.length > 0
          ? ` ${responderOnly.map((lc) => lc.linkConnection.name).join(', ')} ${responderOnly.length === 1 ? 'is' : 'are'} ResponderOnly too: Azure also waits for the device to start IKE.`
          : ''),
      fix: `configure the device's neighbours (Azure's custom APIPA addresses) as active — it must initiate — or peer from a non-APIPA loopback, which Azure opens towards as well.`,
      simulated: run.ok,
      measurements: {
        azureConnectAttempts: dials(true),
        deviceConnectAttempts: dials(false),
        sessionsEstablished: sessionsUp,
      },
      paths: lcs.map((lc) => formatPath([...lc.path, 'enableBgp'])),
      explains: (issue) =>
        issue.message.includes('APIPA') && lcs.some((lc) => pathIs(issue, [...lc.path, 'enableBgp'])),
    });
  }
  return findings;
};

/** More than 4,000 prefixes on a session: Azure drops it (VPN Gateway FAQ). */
export const prefixLimitRule: AdviceRule = (context) => {
  const limit = AZURE.bgp.maxPrefixesPerSession;
  const findings: DraftFinding[] = [];
  for (const placed of placeDevices(context.topology)) {
    const lcs = bgpLinkConnections(placed);
    const announced = placed.device.advertisedPrefixes.length;
    if (lcs.length === 0 || announced <= limit) continue;
    const ids = tunnelIds(lcs);
    const run = tracedRun(context, context.topology, {
      label: `prefix limit of ${placed.device.name}`,
      sites: [placed.site.name],
      durationMs: context.options.timing.failAtMs,
    });
    const drops = run.ok
      ? bgpEntries(run.result, ids, 'bgp.down').filter(
          (e) => e.source.startsWith('IN_') && /prefix/i.test(String(e.detail?.reason ?? '')),
        )
      : [];
    findings.push({
      rule: 'prefix-limit',
      severity: 'high',
      title: `${count(announced)} prefixes on ${placed.device.name}'s BGP sessions: above Azure's ${count(limit)} the session is dropped`,
      subject: `device ${placed.device.name}`,
      evidence: run.ok
        ? `in the run Azure tore the sessions down ${plural(drops.length, 'time')} on reaching the limit (${drops[0] ? endReason(drops[0]) : 'no drop seen'}); Azure accepts up to ${count(limit)} prefixes per BGP session and drops the session above that (VPN Gateway FAQ), so the site has no BGP routes at all.`
        : `Azure accepts up to ${count(limit)} prefixes per BGP session and drops the session above that (VPN Gateway FAQ), so the site would have no BGP routes at all. Not simulated: ${run.error}.`,
      fix: `summarise: announce at most ${count(limit)} prefixes per session (aggregates such as a /16 per region), and keep a margin for growth.`,
      simulated: run.ok,
      measurements: { prefixesAnnounced: announced, limit, sessionDrops: drops.length },
      paths: [formatPath([...placed.path, 'advertisedPrefixes'])],
      explains: (issue) =>
        pathIs(issue, [...placed.path, 'advertisedPrefixes']) && issue.message.includes('drops'),
    });
  }
  return findings;
};

/**
 * DPD as the simulated endpoints run it (protocols/ike/dpd-plan.ts, shared with
 * the exported device configs): a probe after a third of the timeout without IKE
 * or ESP from the peer, dead when the whole timeout has passed.
 */
function dpdTiming(timeoutSeconds: number): { probeAfterMs: number; deadAfterMs: number } {
  const delay = dpdPlan([timeoutSeconds]).delaySeconds.get(timeoutSeconds) ?? timeoutSeconds / 3;
  const probeAfterMs = Math.round(delay * 1000);
  return { probeAfterMs, deadAfterMs: probeAfterMs + Math.round((timeoutSeconds - delay) * 1000) };
}
const DPD_DEFAULT_SECONDS = AZURE.ipsec.dpdTimeoutSeconds.default;
/** Below this, an outage difference between two runs is noise of the packet clock, not a finding. */
const MATERIAL_MS = 5_000;

/**
 * Which detection fires first, and what it costs. On a BGP tunnel the device can
 * notice a dead instance by DPD (dead dpdTimeoutSeconds after the peer fell
 * silent, see dpdTiming) or by the BGP hold timer (the smaller of the two hold
 * times, Azure's being 180 s). DPD slower than the hold timer leaves BGP to do it;
 * a device that keeps routes until the hold timer (keepUntilBgpHold) wastes the
 * faster DPD; on a static tunnel DPD is the only detection there is. Each case is
 * measured on an unplanned instance failure against the same design with the
 * default DPD (45 s) or withdraw-on-DPD.
 */
export const detectionRule: AdviceRule = (context) => {
  type Case = 'bgp-first' | 'routes-wait-for-hold' | 'static-slow-dpd';
  const flagged: { lc: PlacedLinkConnection; kind: Case; detectMs: number; holdMs: number }[] = [];
  const normal: { lc: PlacedLinkConnection; detectMs: number; holdMs: number }[] = [];
  for (const lc of placeLinkConnections(context.topology)) {
    const detectMs = dpdTiming(lc.linkConnection.dpdTimeoutSeconds).deadAfterMs;
    const bgp = lc.linkConnection.enableBgp && lc.resolved.link.bgpProperties !== undefined;
    // Timers Azure does not match are bgpTimersRule's finding; their hold time says nothing about DPD.
    if (bgp && timersOff(lc.resolved.device)) continue;
    if (bgp) {
      // RFC 4271 §4.2: the smaller of the two hold times; 0 (off) if either is 0.
      const holdMs = Math.min(lc.resolved.device.bgpTimers.holdSeconds, AZURE.bgp.holdSeconds) * 1000;
      if (holdMs > 0 && detectMs > holdMs) flagged.push({ lc, kind: 'bgp-first', detectMs, holdMs });
      else if (lc.resolved.device.deadTunnelRoutes === 'keepUntilBgpHold') {
        flagged.push({ lc, kind: 'routes-wait-for-hold', detectMs, holdMs });
      } else normal.push({ lc, detectMs, holdMs });
    } else if (lc.linkConnection.dpdTimeoutSeconds > AZURE.bgp.holdSeconds) {
      flagged.push({ lc, kind: 'static-slow-dpd', detectMs, holdMs: 0 });
    } else normal.push({ lc, detectMs, holdMs: 0 });
  }
  const findings: DraftFinding[] = [];
  const dpdFixed = new Set(
    flagged.filter((f) => f.kind !== 'routes-wait-for-hold').map((f) => f.lc.linkConnection),
  );
  const withdrawFixed = new Set(
    flagged.filter((f) => f.kind === 'routes-wait-for-hold').map((f) => f.lc.resolved.device),
  );
  const variant = withDevices(
    withLinkConnections(context.topology, (lc) =>
      dpdFixed.has(lc) ? { dpdTimeoutSeconds: DPD_DEFAULT_SECONDS } : undefined,
    ),
    (d) => (withdrawFixed.has(d) ? { deadTunnelRoutes: 'withdrawOnDpd' } : undefined),
  );
  const fixedRuns = new Map<InstanceId, FailureMeasurement>();
  const fixedRun = (instance: InstanceId) => {
    let m = fixedRuns.get(instance);
    if (!m) {
      m = measureVariant(context, variant, [{ kind: 'instance', instance, mode: 'unplanned' }]);
      fixedRuns.set(instance, m);
    }
    return m;
  };
  for (const { lc, kind, detectMs, holdMs } of flagged) {
    const instance = lc.resolved.instances[0] as InstanceId;
    const location = locationOf(context, lc.resolved.site.name);
    const failure = failureById(context, `${instance} unplanned`);
    const fixed = fixedRun(instance);
    const asIs = failure ? locationImpact(context, failure, location, 'toAzure') : undefined;
    const better = fixed.error === null ? locationImpact(context, fixed, location, 'toAzure') : undefined;
    const dpd = lc.linkConnection.dpdTimeoutSeconds;
    // Azure's end of the tunnel uses the same DPD timeout: a dead device or internet path is noticed as late.
    const deviceFailures = context.sweep.failures
      .filter(
        (f) =>
          f.elements.length === 1 &&
          (f.elements[0]?.kind === 'device' || f.elements[0]?.kind === 'internetPath') &&
          f.elements[0]?.device === lc.resolved.device.name,
      )
      .map((f) => f.id);
    const azureSide = context.sweep.failures.find(
      (f) =>
        f.id === `device ${lc.resolved.device.name}` && f.stillLosing.some((s) => s.direction === 'toSite'),
    );
    const azureSideText = azureSide
      ? ` Azure's end uses the same timeout: when ${lc.resolved.device.name} failed, ${azureSide.stillLosing
          .filter((s) => s.direction === 'toSite')
          .map((s) => `${s.flowsLosing} of ${s.flows}`)
          .join(', ')} Azure→site flows were still sent into its dead tunnels when it returned.`
      : '';
    const lasted = (impact: typeof asIs) =>
      !impact
        ? 'not measured'
        : impact.flowsLosing > 0
          ? `still lost for ${impact.flowsLosing} of ${impact.flows} flows when ${instance} returned at ${clock(context.options.timing.recoverAtMs)}`
          : duration(impact.worstOutageMs);
    const material =
      !!asIs &&
      !!better &&
      (asIs.worstOutageMs - better.worstOutageMs >= MATERIAL_MS || asIs.flowsLosing > better.flowsLosing);
    const measured = `after an unplanned ${instance} failure, ${location}'s site→Azure flows over ${instance} were lost: ${lasted(asIs)}`;
    const text: Record<Case, { title: string; evidence: string; fix: string }> = {
      'bgp-first': {
        title: `DPD ${dpd} s on ${lc.linkConnection.name} is slower than the BGP hold timer: BGP detects a dead instance first`,
        evidence: `DPD would declare a silent peer dead only after ${duration(detectMs)} (a probe after ${duration(dpdTiming(dpd).probeAfterMs)} without IKE or ESP, dead at ${dpd} s), the BGP hold timer after ${duration(holdMs)}, so the hold timer fires first: ${measured}; with the default ${DPD_DEFAULT_SECONDS} s DPD: ${lasted(better)}.${azureSideText}`,
        fix: `lower dpdTimeoutSeconds to ${DPD_DEFAULT_SECONDS} (Azure's default) so DPD, not the 180 s hold timer, moves traffic off a dead instance.`,
      },
      'routes-wait-for-hold': {
        title: `${lc.resolved.device.name} keeps routes over a dead tunnel until the BGP hold timer: the faster DPD is wasted`,
        evidence: `DPD declares a dead instance after ${duration(detectMs)}, before the BGP hold timer (${holdMs > 0 ? duration(holdMs) : 'off'}), but the device keeps its BGP routes over the dead tunnel until the session times out (deadTunnelRoutes: keepUntilBgpHold): ${measured}; withdrawing them when DPD fires: ${lasted(better)}.`,
        fix: 'remove routes over a tunnel when DPD declares it dead (route-based VPN on a VTI whose line protocol follows the IPsec SA, or BGP over the tunnel interface address tracking), i.e. deadTunnelRoutes: withdrawOnDpd.',
      },
      'static-slow-dpd': {
        title: `DPD ${dpd} s on static ${lc.linkConnection.name}: the only detection on a static tunnel, and a slow one`,
        evidence: `a static tunnel has no BGP hold timer, so DPD is the device's only way to notice a dead instance, after ${duration(detectMs)} here: ${measured}; with the default ${DPD_DEFAULT_SECONDS} s: ${lasted(better)}.${azureSideText}`,
        fix: `lower dpdTimeoutSeconds to ${DPD_DEFAULT_SECONDS} (Azure's default; the range is 9–3,600 s).`,
      },
    };
    findings.push({
      rule: 'detection-order',
      severity: material ? 'medium' : 'low',
      title: text[kind].title,
      subject: `link connection ${lc.linkConnection.name}`,
      evidence: text[kind].evidence,
      fix: text[kind].fix,
      simulated: !!asIs && !!better,
      measurements: {
        dpdDetectionMs: detectMs,
        holdMs,
        outageMs: asIs?.worstOutageMs ?? 0,
        outageWithFixMs: better?.worstOutageMs ?? 0,
        flowsStillLosing: asIs?.flowsLosing ?? 0,
      },
      paths: [formatPath([...lc.path, 'dpdTimeoutSeconds'])],
      explains: (issue) => pathIs(issue, [...lc.path, 'dpdTimeoutSeconds']),
      explainsFailures: [...lc.resolved.instances.map((i) => `${i} unplanned`), ...deviceFailures],
    });
  }
  findings.push(...detectionNotes(context, normal));
  return findings;
};

/** Info: for designs with sensible detection, which fires first and what the sweep measured. */
function detectionNotes(
  context: AdviceContext,
  normal: readonly { lc: PlacedLinkConnection; detectMs: number; holdMs: number }[],
): DraftFinding[] {
  const groups = new Map<string, typeof normal>();
  for (const entry of normal) {
    const key = `${entry.lc.linkConnection.enableBgp}/${entry.detectMs}/${entry.holdMs}`;
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  const unplanned = context.sweep.failures.filter((f) => f.kind === 'instance-unplanned' && f.error === null);
  const notes: DraftFinding[] = [];
  for (const entries of groups.values()) {
    const first = entries[0];
    if (!first) continue;
    const locations = new Set(entries.map((e) => locationOf(context, e.lc.resolved.site.name)));
    let worst = 0;
    for (const f of unplanned) {
      for (const s of f.sites)
        if (s.direction === 'toAzure' && locations.has(s.site)) worst = Math.max(worst, s.worstOutageMs);
    }
    const dpd = first.lc.linkConnection.dpdTimeoutSeconds;
    const bgp = first.lc.linkConnection.enableBgp;
    const names = entries.map((e) => e.lc.linkConnection.name);
    const subject =
      names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
    notes.push({
      rule: 'detection-order',
      severity: 'info',
      title: bgp
        ? `DPD detects a dead instance before the BGP hold timer (${duration(first.detectMs)} vs ${first.holdMs > 0 ? duration(first.holdMs) : 'off'})`
        : `DPD is the only detection on static tunnels: about ${duration(first.detectMs)}`,
      subject: `link connection${names.length === 1 ? '' : 's'} ${subject}`,
      evidence:
        `DPD probes after ${duration(dpdTiming(dpd).probeAfterMs)} without IKE or ESP from the peer and declares it dead at ${dpd} s` +
        (bgp ? '; routes over the dead tunnel are withdrawn then, without waiting for BGP. ' : '. ') +
        `The sweep's unplanned instance failures cost site→Azure flows at most ${duration(worst)}.` +
        (dpd < 30
          ? ` A DPD timeout this short can also declare a live tunnel dead on a lossy path (the simulator has no random loss, so it shows no cost).`
          : ''),
      fix: 'nothing to change.',
      simulated: true,
      measurements: { dpdDetectionMs: first.detectMs, holdMs: first.holdMs, worstSiteToAzureOutageMs: worst },
      paths: [],
    });
  }
  return notes;
}
