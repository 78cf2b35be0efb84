/**
 * From an importer's IR to topology YAML that loads with `loadTopology`: fields in
 * the model's order, comments where Azure said something the model has no field
 * for, and every issue the model finds mapped back to the input file's JSON path.
 * Platform-free.
 */
import { Document, isMap, isPair, isScalar, isSeq, type Node } from 'yaml';
import {
  formatPath,
  type IssuePath,
  loadTopology,
  parseTopology,
  type Topology,
  type TopologyInput,
  type TopologyIssue,
} from '../model/index.ts';
import type { IrTopology, Origin } from './ir.ts';
import type { ImportIssue } from './reader.ts';

export interface EmitResultOk {
  readonly ok: true;
  readonly yaml: string;
  readonly topology: Topology;
  /** The model's own warnings, mapped to input paths where possible. */
  readonly issues: readonly ImportIssue[];
}

export interface EmitResultFailed {
  readonly ok: false;
  readonly issues: readonly ImportIssue[];
}

type MutablePath = (string | number)[];

class Trace {
  readonly origins = new Map<string, Origin>();
  readonly comments = new Map<string, string[]>();
  readonly paths = new Map<string, IssuePath>();

  record(path: MutablePath, from: Origin): void {
    const key = formatPath(path);
    this.origins.set(key, from);
    this.paths.set(key, [...path]);
  }

  comment(path: MutablePath, lines: readonly string[]): void {
    if (lines.length === 0) return;
    const key = formatPath(path);
    this.comments.set(key, [...(this.comments.get(key) ?? []), ...lines]);
    this.paths.set(key, [...path]);
  }

  /** The origin of the deepest recorded ancestor of `path`. */
  originOf(path: IssuePath): { origin: Origin; exact: boolean } | undefined {
    for (let length = path.length; length >= 0; length--) {
      const origin = this.origins.get(formatPath(path.slice(0, length)));
      if (origin !== undefined) return { origin, exact: length === path.length };
    }
    return undefined;
  }
}

function toInput(ir: IrTopology, trace: Trace): TopologyInput {
  const hubPath = ['virtualHub'];
  trace.record(hubPath, ir.hub.from);
  trace.comment(hubPath, ir.hub.comments);
  trace.record([...hubPath, 'name'], ir.hub.name.from);
  trace.record([...hubPath, 'addressPrefix'], ir.hub.addressPrefix.from);
  const virtualHub: TopologyInput['virtualHub'] = {
    name: ir.hub.name.value,
    addressPrefix: ir.hub.addressPrefix.value,
  };
  if (ir.hub.hubRoutingPreference !== undefined) {
    trace.record([...hubPath, 'hubRoutingPreference'], ir.hub.hubRoutingPreference.from);
    (virtualHub as { hubRoutingPreference?: string }).hubRoutingPreference =
      ir.hub.hubRoutingPreference.value;
  }

  const vnets = ir.vnets.map((vnet, v) => {
    const path = ['vnets', v];
    trace.record(path, vnet.from);
    trace.comment(path, vnet.comments);
    trace.record([...path, 'name'], vnet.name.from);
    vnet.addressPrefixes.forEach((prefix, p) => {
      trace.record([...path, 'addressPrefixes', p], prefix.from);
    });
    return { name: vnet.name.value, addressPrefixes: vnet.addressPrefixes.map((prefix) => prefix.value) };
  });

  const gw = ir.gateway;
  const gwPath = ['vpnGateway'];
  trace.record(gwPath, gw.from);
  trace.comment(gwPath, gw.comments);
  trace.record([...gwPath, 'name'], gw.name.from);
  const vpnGateway: Record<string, unknown> = { name: gw.name.value };
  if (gw.vpnGatewayScaleUnit !== undefined) {
    trace.record([...gwPath, 'vpnGatewayScaleUnit'], gw.vpnGatewayScaleUnit.from);
    vpnGateway.vpnGatewayScaleUnit = gw.vpnGatewayScaleUnit.value;
  }
  if (gw.asn !== undefined) {
    trace.record([...gwPath, 'bgpSettings', 'asn'], gw.asn.from);
    vpnGateway.bgpSettings = { asn: gw.asn.value };
  }
  trace.record([...gwPath, 'instances'], gw.from);
  vpnGateway.instances = gw.instances.map((instance, i) => {
    const path = [...gwPath, 'instances', i];
    trace.record(path, instance.from);
    trace.record([...path, 'tunnelIpAddress'], instance.tunnelIpAddress.from);
    trace.record([...path, 'defaultBgpIpAddress'], instance.defaultBgpIpAddress.from);
    instance.customBgpIpAddresses.forEach((address, c) => {
      trace.record([...path, 'customBgpIpAddresses', c], address.from);
    });
    const entry: Record<string, unknown> = {
      id: instance.id,
      tunnelIpAddress: instance.tunnelIpAddress.value,
      defaultBgpIpAddress: instance.defaultBgpIpAddress.value,
    };
    if (instance.customBgpIpAddresses.length > 0) {
      entry.customBgpIpAddresses = instance.customBgpIpAddresses.map((address) => address.value);
    }
    return entry;
  });

  const vpnSites = ir.sites.map((site, s) => {
    const path = ['vpnSites', s];
    trace.record(path, site.from);
    trace.comment(path, site.comments);
    trace.record([...path, 'name'], site.name.from);
    site.addressSpace.forEach((prefix, p) => {
      trace.record([...path, 'addressSpace', p], prefix.from);
    });
    const device = site.device;
    const devicePath = [...path, 'devices', 0];
    trace.record(devicePath, device.from);
    trace.comment(devicePath, device.comments);
    const deviceOut: Record<string, unknown> = { name: device.name };
    if (device.advertisedPrefixes !== undefined) {
      device.advertisedPrefixes.forEach((prefix, p) => {
        trace.record([...devicePath, 'advertisedPrefixes', p], prefix.from);
      });
      deviceOut.advertisedPrefixes = device.advertisedPrefixes.map((prefix) => prefix.value);
    }
    deviceOut.vpnSiteLinks = device.links.map((link, l) => {
      const linkPath = [...devicePath, 'vpnSiteLinks', l];
      trace.record(linkPath, link.from);
      trace.comment(linkPath, link.comments);
      trace.record([...linkPath, 'name'], link.name.from);
      trace.record([...linkPath, 'ipAddress'], link.ipAddress.from);
      const out: Record<string, unknown> = { name: link.name.value, ipAddress: link.ipAddress.value };
      const properties: Record<string, unknown> = {};
      if (link.linkProviderName !== undefined) {
        trace.record([...linkPath, 'linkProperties', 'linkProviderName'], link.linkProviderName.from);
        properties.linkProviderName = link.linkProviderName.value;
      }
      if (link.linkSpeedInMbps !== undefined) {
        trace.record([...linkPath, 'linkProperties', 'linkSpeedInMbps'], link.linkSpeedInMbps.from);
        properties.linkSpeedInMbps = link.linkSpeedInMbps.value;
      }
      if (Object.keys(properties).length > 0) out.linkProperties = properties;
      if (link.bgp !== undefined) {
        trace.record([...linkPath, 'bgpProperties'], link.bgp.from);
        trace.record([...linkPath, 'bgpProperties', 'asn'], link.bgp.asn.from);
        trace.record([...linkPath, 'bgpProperties', 'bgpPeeringAddress'], link.bgp.bgpPeeringAddress.from);
        out.bgpProperties = { asn: link.bgp.asn.value, bgpPeeringAddress: link.bgp.bgpPeeringAddress.value };
      }
      return out;
    });
    const siteOut: Record<string, unknown> = { name: site.name.value };
    if (site.addressSpace.length > 0) siteOut.addressSpace = site.addressSpace.map((prefix) => prefix.value);
    siteOut.devices = [deviceOut];
    return siteOut;
  });

  const vpnConnections = ir.connections.map((connection, c) => {
    const path = ['vpnConnections', c];
    trace.record(path, connection.from);
    trace.comment(path, connection.comments);
    trace.record([...path, 'name'], connection.name.from);
    trace.record([...path, 'remoteVpnSite'], connection.site.name.from);
    return {
      name: connection.name.value,
      remoteVpnSite: connection.site.name.value,
      vpnLinkConnections: connection.linkConnections.map((lc, k) => {
        const lcPath = [...path, 'vpnLinkConnections', k];
        trace.record(lcPath, lc.from);
        trace.comment(lcPath, lc.comments);
        trace.record([...lcPath, 'name'], lc.name.from);
        trace.record([...lcPath, 'vpnSiteLink'], lc.link.name.from);
        const out: Record<string, unknown> = { name: lc.name.value, vpnSiteLink: lc.link.name.value };
        const optional = [
          ['enableBgp', lc.enableBgp],
          ['vpnLinkConnectionMode', lc.vpnLinkConnectionMode],
          ['dpdTimeoutSeconds', lc.dpdTimeoutSeconds],
        ] as const;
        for (const [key, field] of optional) {
          if (field === undefined) continue;
          trace.record([...lcPath, key], field.from);
          out[key] = field.value;
        }
        const ipsec: Record<string, number> = {};
        if (lc.saLifeTimeSeconds !== undefined) {
          trace.record([...lcPath, 'ipsec', 'saLifeTimeSeconds'], lc.saLifeTimeSeconds.from);
          ipsec.saLifeTimeSeconds = lc.saLifeTimeSeconds.value;
        }
        if (lc.saDataSizeKilobytes !== undefined) {
          trace.record([...lcPath, 'ipsec', 'saDataSizeKilobytes'], lc.saDataSizeKilobytes.from);
          ipsec.saDataSizeKilobytes = lc.saDataSizeKilobytes.value;
        }
        if (Object.keys(ipsec).length > 0) out.ipsec = ipsec;
        if (lc.instances !== undefined) {
          trace.record([...lcPath, 'instances'], lc.instances.from);
          out.instances = [...lc.instances.value];
        }
        if (lc.customBgpAddresses.length > 0) {
          out.vpnGatewayCustomBgpAddresses = lc.customBgpAddresses.map((custom, i) => {
            trace.record([...lcPath, 'vpnGatewayCustomBgpAddresses', i], custom.from);
            trace.record(
              [...lcPath, 'vpnGatewayCustomBgpAddresses', i, 'customBgpIpAddress'],
              custom.address.from,
            );
            return { ipConfigurationId: custom.instance, customBgpIpAddress: custom.address.value };
          });
        }
        return out;
      }),
    };
  });

  return {
    virtualHub,
    vnets,
    vpnGateway: vpnGateway as TopologyInput['vpnGateway'],
    vpnSites: vpnSites as TopologyInput['vpnSites'],
    vpnConnections: vpnConnections as TopologyInput['vpnConnections'],
  };
}

function mapIssue(issue: TopologyIssue, trace: Trace, fallback: Origin): ImportIssue {
  const found = trace.originOf(issue.path);
  const origin = found?.origin ?? fallback;
  const field = issue.path.length === 0 ? '' : ` (topology field ${formatPath(issue.path)})`;
  return {
    severity: issue.severity,
    source: origin.source,
    path: origin.path,
    message: `${issue.message}${field}`,
  };
}

/** Short scalar lists and small mappings on one line, like the hand-written examples. */
function compact(node: Node | null | undefined, parentKey?: string): void {
  if (isSeq(node)) {
    if (node.items.length > 0 && node.items.every((item) => isScalar(item))) node.flow = true;
    for (const item of node.items) compact(item as Node, parentKey === 'instances' ? 'instance' : undefined);
  } else if (isMap(node)) {
    const scalarsOnly = node.items.every((pair) => isPair(pair) && isScalar(pair.value));
    const flowKeys = new Set(['bgpProperties', 'linkProperties', 'bgpSettings', 'ipsec', 'instance']);
    if (scalarsOnly && parentKey !== undefined && flowKeys.has(parentKey)) node.flow = true;
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      compact(pair.value as Node, key === 'vpnGatewayCustomBgpAddresses' ? 'instances' : key);
    }
  }
}

/** Longest comment line written: comments quote values from the input (vendor, fqdn …). */
const COMMENT_LIMIT = 300;

/** One comment line: no line breaks or other control characters (they would end the comment), cut short. */
function commentLine(line: string): string {
  let clean = '';
  for (const c of line) {
    const code = c.charCodeAt(0);
    clean += code < 0x20 || code === 0x7f || code === 0x85 || code === 0x2028 || code === 0x2029 ? ' ' : c;
  }
  return ` ${clean.length > COMMENT_LIMIT ? `${clean.slice(0, COMMENT_LIMIT - 3)}...` : clean}`;
}

function render(input: TopologyInput, ir: IrTopology, trace: Trace): string {
  const document = new Document(input);
  compact(document.contents as Node);
  if (ir.header.length > 0) document.commentBefore = ir.header.map(commentLine).join('\n');
  for (const [key, lines] of trace.comments) {
    const path = trace.paths.get(key) ?? [];
    const text = lines.map(commentLine).join('\n');
    const last = path[path.length - 1];
    if (typeof last === 'number' || path.length === 0) {
      const node = document.getIn(path, true) as Node | undefined;
      if (node !== undefined && node !== null) node.commentBefore = text;
      continue;
    }
    const parent = document.getIn(path.slice(0, -1), true);
    if (!isMap(parent)) continue;
    const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === last);
    if (pair !== undefined && isScalar(pair.key)) pair.key.commentBefore = text;
  }
  return document.toString({ lineWidth: 0 });
}

/**
 * Validates the imported topology with the model and renders it. Errors the model
 * finds are returned against the input's JSON paths; the rendered YAML is loaded
 * once more, so what is written is exactly what `vwan-ha validate` accepts.
 */
export function emitTopology(
  ir: IrTopology,
  fallback: Origin,
  /** The model's warnings the importer already gave in its own words. */
  alreadySaid: (issue: TopologyIssue) => boolean = () => false,
): EmitResultOk | EmitResultFailed {
  const trace = new Trace();
  const input = toInput(ir, trace);
  const parsed = parseTopology(input);
  if (!parsed.ok) {
    return {
      ok: false,
      issues: [...parsed.errors, ...parsed.warnings].map((issue) => mapIssue(issue, trace, fallback)),
    };
  }
  const yaml = render(input, ir, trace);
  const reloaded = loadTopology(yaml);
  if (!reloaded.ok) {
    // A bug, not an input problem: the same value validated a moment ago. Still a result, never a throw.
    const first = reloaded.errors[0];
    return {
      ok: false,
      issues: [
        {
          severity: 'error',
          source: fallback.source,
          path: [],
          message: `internal error: the imported topology does not load again (${first === undefined ? 'no reason given' : `${formatPath(first.path) || 'file'}: ${first.message.slice(0, 200)}`}); please report it with the command line, not the file`,
        },
      ],
    };
  }
  return {
    ok: true,
    yaml,
    topology: reloaded.topology,
    issues: parsed.warnings
      .filter((issue) => !alreadySaid(issue))
      .map((issue) => mapIssue(issue, trace, fallback)),
  };
}
