/**
 * What both importers share: their options, the quirks of real Azure files they
 * accept and normalise (names with stray spaces, two links sharing one public IP,
 * `dpdTimeoutSeconds: 0`), and the rule that a pre-shared key is never written or
 * printed. Platform-free.
 */
import {
  AZURE,
  type InstanceId,
  type IssuePath,
  normaliseInstanceId,
  type Topology,
  type TopologyIssue,
} from '../model/index.ts';
import type { IrConnection, IrLinkConnection, IrTopology, Origin, Sourced } from './ir.ts';
import { type At, type ImportIssue, type IssueList, listed, quoted, shown } from './reader.ts';

/** Azure resource names are 1–80 characters (the model checks it too). */
export const MAX_NAME_LENGTH = 80;

export interface ImportOptions {
  /** Report where pre-shared keys are; the model has no field for one, so none is written either way. */
  readonly includePsk?: boolean;
  /** Unknown fields become warnings instead of errors (files from newer API versions). */
  readonly ignoreUnknown?: boolean;
  /** `site → prefixes`: a static site's addressSpace, or what a BGP site's device announces. */
  readonly sitePrefixes?: Readonly<Record<string, readonly string[]>>;
  /** `site` or `site/link → instance`: the device builds one tunnel only, to that instance. */
  readonly singleTunnel?: Readonly<Record<string, string>>;
  /** `vnet → prefixes`, for vnets whose address space the file does not carry. */
  readonly vnetPrefixes?: Readonly<Record<string, readonly string[]>>;
  /** Which hub, when the file holds several (ARM: its name; VPN configuration file: its AddressSpace). */
  readonly hub?: string;
  /** The hub's address prefix, when the file has no virtualHubs resource. */
  readonly hubPrefix?: string;
  /** The instances' default BGP addresses, IN_0 then IN_1, when the file does not carry them. */
  readonly gatewayBgpIps?: readonly string[];
}

export type ImportResult =
  | {
      readonly ok: true;
      readonly yaml: string;
      readonly topology: Topology;
      readonly issues: readonly ImportIssue[];
    }
  | { readonly ok: false; readonly issues: readonly ImportIssue[] };

/** Where a command-line option's value came from, for messages. */
export function optionOrigin(option: string): Origin {
  return { source: 'command line', path: [option] };
}

/**
 * A name vwan-ha makes from an Azure name (`<site>-device`, `conn-<site>`),
 * kept within Azure's 80 characters: a long base is cut and tagged with a short
 * hash of itself, so two long names that share a beginning stay apart.
 */
export function derivedName(prefix: string, base: string, suffix: string): string {
  const name = `${prefix}${base}${suffix}`;
  if (name.length <= MAX_NAME_LENGTH) return name;
  let hash = 0x811c9dc5;
  for (let i = 0; i < base.length; i++) hash = Math.imul(hash ^ base.charCodeAt(i), 0x01000193) >>> 0;
  const tag = hash.toString(16).padStart(8, '0');
  const keep = Math.max(0, MAX_NAME_LENGTH - prefix.length - suffix.length - tag.length - 1);
  return `${prefix}${base.slice(0, keep)}-${tag}${suffix}`;
}

/** Trims stray spaces (Azure's own sample file has `"Name":" testsite2"`), with a warning. */
export function cleanName(at: At<string>, what: string, issues: IssueList): Sourced<string> | undefined {
  const trimmed = at.value.trim();
  if (trimmed === '') {
    issues.error(at, `the ${what} name is empty; give it the name it has in Azure`);
    return undefined;
  }
  // Checked here, not only by the model: every later message quotes names.
  if (trimmed.length > MAX_NAME_LENGTH) {
    issues.error(
      at,
      `the ${what} name is ${trimmed.length.toLocaleString('en-US')} characters long, ${quoted(trimmed)}; Azure resource names are 1–${MAX_NAME_LENGTH} characters: use the name Azure shows`,
    );
    return undefined;
  }
  if (trimmed !== at.value) {
    issues.warning(
      at,
      `the ${what} name ${quoted(at.value)} has stray spaces; imported as ${quoted(trimmed)}`,
    );
  }
  return { value: trimmed, from: { source: at.source, path: at.path } };
}

/** `Instance0`, `IN_0` or an ARM id ending in `/Instance0`. */
export function instanceFrom(text: string): InstanceId | undefined {
  const last = text.split('/').pop() ?? text;
  return normaliseInstanceId(last.trim());
}

/** `dpdTimeoutSeconds: 0` is how Azure exports "unset": left out, so Azure's default applies. */
export function dpdTimeout(at: At<number> | undefined, issues: IssueList): Sourced<number> | undefined {
  if (at === undefined) return undefined;
  const dpd = AZURE.ipsec.dpdTimeoutSeconds;
  if (at.value === dpd.unsetInExports) {
    issues.warning(
      at,
      `0 means unset in Azure's files; imported as Azure's default ${dpd.default} s (field left out)`,
    );
    return undefined;
  }
  return { value: at.value, from: at };
}

/**
 * Collects where pre-shared keys were found and reports them once: the topology model
 * has no field for a PSK, so none is written, and none is ever printed.
 */
export class SecretTracker {
  private readonly found: { source: string; path: IssuePath }[] = [];

  constructor(private readonly includePsk: boolean) {}

  saw(at: { source: string; path: IssuePath }): void {
    this.found.push(at);
  }

  report(issues: IssueList): void {
    const first = this.found[0];
    if (first === undefined) return;
    const count =
      this.found.length === 1 ? 'a pre-shared key' : `${this.found.length} pre-shared keys (first here)`;
    const how = 'pass it to `vwan-ha export device --psk-env <VAR>` when you generate device configurations';
    if (this.includePsk) {
      issues.warning(
        first,
        `${count}: --include-psk was given, but the topology model has no field for a pre-shared key, so it is not written; ${how}`,
      );
    } else {
      issues.note(
        first,
        `${count}: not imported (the topology model has no field for it) and never printed; ${how}`,
      );
    }
  }
}

/** Parses `name=a,b` option values into a record; errors name the option. */
export function parseAssignments(
  option: string,
  values: readonly string[],
): { ok: true; value: Record<string, string[]> } | { ok: false; error: string } {
  const out: Record<string, string[]> = {};
  for (const raw of values) {
    const equals = raw.indexOf('=');
    if (equals <= 0 || equals === raw.length - 1) {
      return { ok: false, error: `${option} ${quoted(raw)}: expected NAME=VALUE[,VALUE…]` };
    }
    const name = raw.slice(0, equals).trim();
    const items = raw
      .slice(equals + 1)
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
    out[name] = [...(out[name] ?? []), ...items];
  }
  return { ok: true, value: out };
}

/**
 * Two links of one site with the same public IP, each with a link connection to the
 * same instances, describe the same tunnels: Azure tells tunnels apart by the pair of
 * public IPs (and the model refuses two tunnels between one pair). The second link and
 * its link connection are folded into the first, with a warning naming both.
 */
/** Each site's connection, looked up once (files can hold thousands). */
export function connectionsBySite(ir: IrTopology): Map<IrTopology['sites'][number], IrConnection> {
  const bySite = new Map<IrTopology['sites'][number], IrConnection>();
  for (const connection of ir.connections)
    if (!bySite.has(connection.site)) bySite.set(connection.site, connection);
  return bySite;
}

export function mergeLinksSharingAnIp(ir: IrTopology, issues: IssueList): void {
  const bySite = connectionsBySite(ir);
  for (const site of ir.sites) {
    const connection = bySite.get(site);
    const kept: typeof site.device.links = [];
    for (const link of site.device.links) {
      const first = kept.find((other) => other.ipAddress.value === link.ipAddress.value);
      if (first === undefined) {
        kept.push(link);
        continue;
      }
      const lcOf = (target: typeof link): IrLinkConnection | undefined =>
        connection?.linkConnections.find((lc) => lc.link === target);
      const firstLc = lcOf(first);
      const thisLc = lcOf(link);
      const instancesOf = (lc: IrLinkConnection | undefined) => lc?.instances?.value ?? AZURE.instances.ids;
      const overlap = instancesOf(firstLc).some((instance) => instancesOf(thisLc).includes(instance));
      if (firstLc !== undefined && thisLc !== undefined && !overlap) {
        kept.push(link);
        continue;
      }
      // Names cut shorter than elsewhere: this message names four things and says what to do.
      const brief = (text: string) => shown(text, 32);
      const lost: string[] = [];
      if (link.bgp !== undefined && first.bgp === undefined) {
        lost.push(`its BGP settings (ASN ${link.bgp.asn.value}, ${brief(link.bgp.bgpPeeringAddress.value)})`);
      } else if (
        link.bgp !== undefined &&
        first.bgp !== undefined &&
        (link.bgp.asn.value !== first.bgp.asn.value ||
          link.bgp.bgpPeeringAddress.value !== first.bgp.bgpPeeringAddress.value)
      ) {
        lost.push(
          `its BGP settings (ASN ${link.bgp.asn.value}, ${brief(link.bgp.bgpPeeringAddress.value)}) differ and are dropped`,
        );
      }
      issues.warning(
        link.from,
        `site link ${brief(link.name.value)} has the same public IP ${brief(link.ipAddress.value)} as site link ${brief(first.name.value)} of site ${brief(site.name.value)}: Azure tells tunnels apart by the pair of public IPs, so both describe the same tunnels; imported as one link, the first${lost.length > 0 ? `; ${lost.join('; ')}` : ''}. If they are two tunnel interfaces of one device, send each link connection to one instance instead (--single-tunnel <site>/<link>=IN_0 and …=IN_1)`,
      );
      if (connection !== undefined && thisLc !== undefined) {
        connection.linkConnections = connection.linkConnections.filter((lc) => lc !== thisLc);
        if (firstLc === undefined) {
          thisLc.link = first;
          connection.linkConnections.push(thisLc);
        }
      }
      first.comments.push(
        `also Azure's site link ${link.name.value} (same public IP ${shown(link.ipAddress.value)}), folded into this one`,
      );
    }
    site.device.links = kept;
  }
}

/** Applies `--single-tunnel site=IN_0` / `site/link=IN_1` to the link connections it names. */
export function applySingleTunnels(ir: IrTopology, options: ImportOptions, issues: IssueList): void {
  for (const [key, instanceText] of Object.entries(options.singleTunnel ?? {})) {
    const origin = optionOrigin('--single-tunnel');
    const instance = instanceFrom(instanceText);
    if (instance === undefined) {
      issues.error(
        origin,
        `${shown(key)}=${shown(instanceText)}: ${quoted(instanceText)} is not an instance; use IN_0 or IN_1`,
      );
      continue;
    }
    const [siteName, linkName] = key.split('/', 2) as [string, string | undefined];
    const connection = ir.connections.find((candidate) => candidate.site.name.value === siteName);
    if (connection === undefined) {
      const names = listed(ir.connections.map((candidate) => candidate.site.name.value));
      issues.error(
        origin,
        `${shown(key)}: no connected VPN site is named ${quoted(siteName)} (connected sites: ${names}): --single-tunnel names one of those`,
      );
      continue;
    }
    const targets = connection.linkConnections.filter(
      (lc) => linkName === undefined || lc.link.name.value === linkName || lc.name.value === linkName,
    );
    if (targets.length === 0) {
      issues.error(
        origin,
        `${shown(key)}: site ${shown(siteName)} has no link or link connection named ${quoted(linkName ?? '')}; name one of its links`,
      );
      continue;
    }
    for (const lc of targets) {
      lc.instances = { value: [instance], from: origin };
      lc.comments.push(
        `single tunnel to ${instance} (--single-tunnel): Azure always offers both instances; this device builds one`,
      );
    }
  }
}

/** Prefixes given on the command line, as sourced values. */
export function optionPrefixes(option: string, prefixes: readonly string[]): Sourced<string>[] {
  return prefixes.map((prefix) => ({ value: prefix, from: optionOrigin(option) }));
}

/** The model's "announces nothing" warning, which the importers give with the option that fixes it. */
export function announcesNothing(issue: TopologyIssue): boolean {
  return (
    issue.path[issue.path.length - 1] === 'advertisedPrefixes' &&
    issue.message.startsWith('the device announces nothing')
  );
}

/** Issues sorted: errors first, then warnings, then notes; file order within each. */
export function sortIssues(issues: readonly ImportIssue[]): ImportIssue[] {
  const rank = { error: 0, warning: 1, note: 2 } as const;
  return [...issues].sort((a, b) => rank[a.severity] - rank[b.severity]);
}
