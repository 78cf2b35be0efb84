/**
 * `vwan-ha import vpnconfig`: the file Azure's portal writes under Virtual WAN →
 * VPN sites → "Download Site-to-Site VPN configuration" (VWAN docs, "Download VPN
 * configuration"): one entry per site (or site link), each listing its connection
 * to every hub it reaches. The file names neither the hub nor the gateway nor the
 * vnets, and gives a static site's address space nowhere, so:
 *   - the hub is chosen by its AddressSpace (`--hub`) when the file reaches several;
 *     it is named after its Region, the gateway after the hub;
 *   - ConnectedSubnets become one vnet per prefix, named after the prefix;
 *   - a static site's prefixes come from `--site-prefix site=cidr,…` (an error names
 *     each site that needs one); a BGP site's announced prefixes may too.
 * Entries with the same Name are one site with several links (LinkName, when the
 * file has it, names them). Platform-free.
 */
import { AZURE, formatPath, INSTANCE_IDS, type InstanceId } from '../model/index.ts';
import { inIpv4Range, ipv4, parseIpv4 } from '../net/ipv4.ts';
import {
  announcesNothing,
  applySingleTunnels,
  cleanName,
  connectionsBySite,
  derivedName,
  dpdTimeout,
  type ImportOptions,
  type ImportResult,
  mergeLinksSharingAnIp,
  optionOrigin,
  optionPrefixes,
  SecretTracker,
  sortIssues,
} from './common.ts';
import { emitTopology } from './emit.ts';
import type {
  IrConnection,
  IrInstance,
  IrLink,
  IrLinkConnection,
  IrSite,
  IrTopology,
  IrVnet,
  Origin,
  Sourced,
} from './ir.ts';
import { valueLimitProblem } from './limits.ts';
import { type At, IssueList, type Json, type JsonObject, listed, quoted, Reader, shown } from './reader.ts';

const ENTRY_FIELDS = ['configurationVersion', 'vpnSiteConfiguration', 'vpnSiteConnections'];
const VERSION_FIELDS = ['LastUpdatedTime', 'Version'];
const SITE_FIELDS = ['Name', 'IPAddress', 'BgpSetting', 'LinkName'];
const SITE_BGP_FIELDS = ['Asn', 'BgpPeeringAddress', 'PeerWeight'];
const CONNECTION_FIELDS = ['hubConfiguration', 'gatewayConfiguration', 'connectionConfiguration'];
const HUB_FIELDS = ['AddressSpace', 'Region', 'ConnectedSubnets'];
const GATEWAY_FIELDS = ['IpAddresses', 'BgpSetting'];
const GATEWAY_BGP_FIELDS = ['Asn', 'BgpPeeringAddresses', 'PeerWeight'];
const INSTANCE_FIELDS = ['Instance0', 'Instance1'];
const CONNECTION_CONFIG_FIELDS = ['IsBgpEnabled', 'PSK', 'IPsecParameters', 'DpdTimeoutSeconds'];
const IPSEC_FIELDS = ['SADataSizeInKilobytes', 'SALifeTimeInSeconds'];

const APIPA_FIRST = ipv4(AZURE.bgp.customApipaRange.first);
const APIPA_LAST = ipv4(AZURE.bgp.customApipaRange.last);

function isCustomApipa(text: string): boolean {
  const parsed = parseIpv4(text);
  return parsed.ok && inIpv4Range(parsed.value, APIPA_FIRST, APIPA_LAST);
}

interface HubSeen {
  readonly addressSpace: At<string>;
  readonly region?: At<string>;
  readonly connections: number;
}

interface SiteEntry {
  readonly name: Sourced<string>;
  readonly site: At<JsonObject>;
  readonly connection: At<JsonObject>;
}

class VpnConfigImport {
  readonly issues = new IssueList();
  readonly reader: Reader;
  readonly secrets: SecretTracker;
  private readonly tunnelIps = new Map<InstanceId, Sourced<string>>();
  private readonly defaultBgpIps = new Map<InstanceId, Sourced<string>>();
  private readonly customBgpIps = new Map<InstanceId, Sourced<string>[]>();

  constructor(
    readonly source: string,
    readonly value: Json,
    readonly options: ImportOptions,
  ) {
    this.reader = new Reader(this.issues, options.ignoreUnknown === true ? 'warning' : 'error');
    this.secrets = new SecretTracker(options.includePsk === true);
  }

  run(): ImportResult {
    const origin: Origin = { source: this.source, path: [] };
    const problem = valueLimitProblem(this.value);
    if (problem !== undefined) {
      this.issues.error(origin, problem);
      return this.failed();
    }
    const root: At<Json> = { value: this.value, source: this.source, path: [] };
    let entries: At<JsonObject>[];
    if (Array.isArray(this.value)) {
      const items: readonly Json[] = this.value;
      entries = items
        .map((item, index) =>
          this.reader.asObject({ value: item, source: this.source, path: [index] }, 'a VPN site entry'),
        )
        .filter((entry): entry is At<JsonObject> => entry !== undefined);
    } else {
      const single = this.reader.asObject(root, 'a VPN configuration file (a list of site entries)');
      entries = single === undefined ? [] : [single];
    }
    if (entries.length === 0 && this.issues.errorCount === 0) {
      this.issues.error(
        origin,
        'the file lists no VPN sites; expected the list of site entries the portal downloads under VPN sites → "Download Site-to-Site VPN configuration"',
      );
    }

    const perEntry: { entry: At<JsonObject>; site: At<JsonObject>; connections: At<JsonObject>[] }[] = [];
    const hubs = new Map<string, HubSeen>();
    for (const entry of entries) {
      this.reader.checkFields(entry, ENTRY_FIELDS, 'a VPN site entry');
      const version = this.reader.object(entry, 'configurationVersion');
      if (version !== undefined) this.reader.checkFields(version, VERSION_FIELDS, 'configurationVersion');
      const site = this.reader.requireObject(
        entry,
        'vpnSiteConfiguration',
        'it describes the VPN site (Name, IPAddress)',
      );
      const connections = this.reader
        .array(entry, 'vpnSiteConnections')
        .map((item) => this.reader.asObject(item, 'a vpnSiteConnections entry'))
        .filter((item): item is At<JsonObject> => item !== undefined);
      if (!this.reader.has(entry, 'vpnSiteConnections')) {
        this.reader.missing(entry, 'vpnSiteConnections', "it lists the site's connections to hubs");
      }
      if (site === undefined) continue;
      this.reader.checkFields(site, SITE_FIELDS, 'vpnSiteConfiguration');
      for (const connection of connections) {
        this.reader.checkFields(connection, CONNECTION_FIELDS, 'a vpnSiteConnections entry');
        const hub = this.reader.requireObject(
          connection,
          'hubConfiguration',
          'it describes the hub (AddressSpace, Region)',
        );
        if (hub === undefined) continue;
        this.reader.checkFields(hub, HUB_FIELDS, 'hubConfiguration');
        const space = this.reader.requireString(
          hub,
          'AddressSpace',
          "the hub's address space, e.g. 10.0.0.0/24",
        );
        if (space === undefined) continue;
        const key = space.value.trim();
        const seen = hubs.get(key);
        hubs.set(key, {
          addressSpace: seen?.addressSpace ?? { ...space, value: key },
          region: seen?.region ?? this.reader.string(hub, 'Region'),
          connections: (seen?.connections ?? 0) + 1,
        });
      }
      perEntry.push({ entry, site, connections });
    }

    const hub = this.chooseHub(hubs, origin);
    if (hub === undefined) return this.failed();
    const onHub = (connection: At<JsonObject>) => {
      const hubConfig = this.reader.object(connection, 'hubConfiguration');
      const space = hubConfig === undefined ? undefined : this.reader.string(hubConfig, 'AddressSpace');
      return space?.value.trim() === hub.addressSpace.value;
    };

    const siteEntries: SiteEntry[] = [];
    const vnetPrefixes = new Map<string, At<string>>();
    for (const { site, connections } of perEntry) {
      const nameAt = this.reader.requireString(site, 'Name', 'the VPN site name');
      const name = nameAt === undefined ? undefined : cleanName(nameAt, 'VPN site', this.issues);
      const mine = connections.filter(onHub);
      if (name === undefined) continue;
      if (mine.length === 0) {
        this.issues.note(
          site,
          `site ${name.value} has no connection to hub ${shown(hub.addressSpace.value)}; not imported`,
        );
        continue;
      }
      if (mine.length > 1) {
        this.issues.warning(
          mine[1] as At<JsonObject>,
          `site ${name.value} lists hub ${shown(hub.addressSpace.value)} twice; the first is used`,
        );
      }
      const connection = mine[0] as At<JsonObject>;
      siteEntries.push({ name, site, connection });
      const hubConfig = this.reader.object(connection, 'hubConfiguration');
      if (hubConfig !== undefined) {
        for (const prefix of this.reader.strings(hubConfig, 'ConnectedSubnets')) {
          const key = prefix.value.trim();
          if (!vnetPrefixes.has(key)) vnetPrefixes.set(key, { ...prefix, value: key });
        }
      }
      this.readGatewayConfiguration(connection);
    }

    const sites = new Map<string, IrSite>();
    const connections = new Map<IrSite, IrConnection>();
    for (const entry of siteEntries) {
      const link = this.readLink(entry, sites);
      if (link === undefined) continue;
      const { site, ir } = link;
      let connection = connections.get(site);
      if (connection === undefined) {
        connection = {
          name: { value: derivedName('conn-', site.name.value, ''), from: entry.name.from },
          site,
          linkConnections: [],
          from: entry.connection,
          comments: [],
        };
        connections.set(site, connection);
      }
      const lc = this.readConnectionConfiguration(entry, ir);
      if (lc !== undefined) connection.linkConnections.push(lc);
    }

    const gateway = this.gateway(hub, origin);
    const vnets: IrVnet[] = [...vnetPrefixes.values()].map((prefix) => ({
      name: { value: `vnet-${prefix.value.replace('/', '-')}`, from: prefix },
      addressPrefixes: [{ value: prefix.value, from: prefix }],
      from: prefix,
      comments: [],
    }));
    const firstVnet = vnets[0];
    if (firstVnet !== undefined) {
      firstVnet.comments.push(
        "The file lists the hub's ConnectedSubnets, not its vnets: one vnet per prefix, named after it. Merge prefixes of one vnet if you know them.",
      );
    }

    const region = hub.region?.value.trim();
    const slug = (region === undefined || region === '' ? hub.addressSpace.value : region)
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '');
    const hubName = derivedName('hub-', slug, '');
    if (gateway === undefined || this.issues.errorCount > 0) return this.failed();
    const ir: IrTopology = {
      hub: {
        name: { value: hubName, from: hub.region ?? hub.addressSpace },
        addressPrefix: { value: hub.addressSpace.value, from: hub.addressSpace },
        from: hub.addressSpace,
        comments: [
          `The file names no hub or gateway: named after the hub's region${region === undefined ? '' : ` (${shown(region)})`}.`,
        ],
      },
      vnets,
      gateway: { ...gateway, name: { value: derivedName('', hubName, '-vpngw'), from: hub.addressSpace } },
      sites: [...sites.values()],
      connections: [...connections.values()],
      header: [
        `Imported by vwan-ha from ${this.source} (Azure Virtual WAN "Download VPN configuration" file).`,
        'Check the comments: they mark what the file does not record.',
      ],
    };
    this.sitePrefixes(ir);
    applySingleTunnels(ir, this.options, this.issues);
    mergeLinksSharingAnIp(ir, this.issues);
    this.secrets.report(this.issues);
    if (this.issues.errorCount > 0) return { ok: false, issues: sortIssues(this.issues.items) };
    const emitted = emitTopology(ir, origin, announcesNothing);
    const issues = sortIssues([...this.issues.items, ...emitted.issues]);
    return emitted.ok
      ? { ok: true, yaml: emitted.yaml, topology: emitted.topology, issues }
      : { ok: false, issues };
  }

  private failed(): ImportResult {
    this.secrets.report(this.issues);
    return { ok: false, issues: sortIssues(this.issues.items) };
  }

  private chooseHub(hubs: ReadonlyMap<string, HubSeen>, origin: Origin): HubSeen | undefined {
    const describe = (hub: HubSeen) =>
      `${shown(hub.addressSpace.value)}${hub.region === undefined ? '' : ` (${shown(hub.region.value)})`}`;
    if (this.options.hub !== undefined) {
      const wanted = this.options.hub.trim().toLowerCase();
      const found = [...hubs.values()].find(
        (hub) =>
          hub.addressSpace.value.toLowerCase() === wanted ||
          hub.region?.value.trim().toLowerCase() === wanted,
      );
      if (found === undefined) {
        this.issues.error(
          optionOrigin('--hub'),
          hubs.size === 0
            ? `no hub with AddressSpace or Region ${quoted(this.options.hub)}: the file reaches no hub (no vpnSiteConnections entry has a hubConfiguration); use the file the portal downloads`
            : `no hub with AddressSpace or Region ${quoted(this.options.hub)}; the file reaches ${listed([...hubs.values()].map(describe))}: pass one of those to --hub`,
        );
      }
      return found;
    }
    if (hubs.size === 1) return [...hubs.values()][0];
    if (hubs.size === 0) {
      this.issues.error(
        origin,
        'no entry has a vpnSiteConnections entry with a hubConfiguration: nothing to import; use the file the portal downloads under VPN sites → "Download Site-to-Site VPN configuration"',
      );
      return undefined;
    }
    this.issues.error(
      origin,
      `the file reaches ${hubs.size} hubs (${listed([...hubs.values()].map(describe))}); a topology is one hub: choose one with --hub <AddressSpace>`,
    );
    return undefined;
  }

  /** Records the instance IPs one connection states; they must agree across the file. */
  private readGatewayConfiguration(connection: At<JsonObject>): void {
    const reader = this.reader;
    const gateway = reader.requireObject(
      connection,
      'gatewayConfiguration',
      "it gives the gateway instances' public IPs",
    );
    if (gateway === undefined) return;
    reader.checkFields(gateway, GATEWAY_FIELDS, 'gatewayConfiguration');
    const ips = reader.requireObject(gateway, 'IpAddresses', 'the public IPs of Instance0 and Instance1');
    if (ips !== undefined) {
      reader.checkFields(ips, INSTANCE_FIELDS, 'IpAddresses');
      INSTANCE_IDS.forEach((id) => {
        const name = AZURE.instances.armNames[id];
        const ip = reader.requireString(ips, name, `the public IP of ${name}`);
        if (ip !== undefined)
          this.agree(this.tunnelIps, id, { value: ip.value.trim(), from: ip }, 'public IP');
      });
    }
    const bgp = reader.object(gateway, 'BgpSetting');
    if (bgp === undefined) return;
    reader.checkFields(bgp, GATEWAY_BGP_FIELDS, 'gatewayConfiguration.BgpSetting');
    const asn = reader.number(bgp, 'Asn');
    if (asn !== undefined && asn.value !== AZURE.bgp.asn) {
      this.issues.error(
        asn,
        `a Virtual WAN VPN gateway always uses ASN ${AZURE.bgp.asn}, not ${asn.value}: use ${AZURE.bgp.asn} (is the file from a Virtual WAN hub?)`,
      );
    }
    const addresses = reader.object(bgp, 'BgpPeeringAddresses');
    if (addresses === undefined) return;
    reader.checkFields(addresses, INSTANCE_FIELDS, 'BgpPeeringAddresses');
    for (const id of INSTANCE_IDS) {
      const address = reader.string(addresses, AZURE.instances.armNames[id]);
      if (address === undefined) continue;
      const value: Sourced<string> = { value: address.value.trim(), from: address };
      if (isCustomApipa(value.value)) {
        const list = this.customBgpIps.get(id) ?? [];
        if (!list.some((known) => known.value === value.value)) list.push(value);
        this.customBgpIps.set(id, list);
      } else {
        this.agree(this.defaultBgpIps, id, value, 'default BGP address');
      }
    }
  }

  private agree(
    map: Map<InstanceId, Sourced<string>>,
    id: InstanceId,
    value: Sourced<string>,
    what: string,
  ): void {
    const known = map.get(id);
    if (known === undefined) {
      map.set(id, value);
    } else if (known.value !== value.value) {
      const name = AZURE.instances.armNames[id];
      this.issues.error(
        value.from,
        `${name}'s ${what} is ${shown(value.value)} here but ${shown(known.value)} at ${formatPath(known.from.path)}; one hub's gateway has one ${what} per instance, so the file contradicts itself: keep one value`,
      );
    }
  }

  private gateway(hub: HubSeen, origin: Origin): Omit<IrTopology['gateway'], 'name'> | undefined {
    const instances: IrInstance[] = [];
    const missing: string[] = [];
    INSTANCE_IDS.forEach((id, index) => {
      const tunnel = this.tunnelIps.get(id);
      let bgp = this.defaultBgpIps.get(id);
      if (bgp === undefined && this.options.gatewayBgpIps?.[index] !== undefined) {
        bgp = { value: this.options.gatewayBgpIps[index] as string, from: optionOrigin('--gateway-bgp-ips') };
      }
      if (tunnel === undefined) return;
      if (bgp === undefined) {
        missing.push(AZURE.instances.armNames[id]);
        return;
      }
      instances.push({
        id,
        tunnelIpAddress: tunnel,
        defaultBgpIpAddress: bgp,
        customBgpIpAddresses: this.customBgpIps.get(id) ?? [],
        from: tunnel.from,
      });
    });
    if (missing.length > 0) {
      this.issues.error(
        origin,
        `the file carries no default BGP address for ${missing.join(' and ')} (only connections with BGP list them), and the model needs one per instance: find them under the hub's VPN (Site to site) gateway configuration, or with \`az network vpn-gateway show --query bgpSettings.bgpPeeringAddresses\`, and pass --gateway-bgp-ips <Instance0>,<Instance1>`,
      );
    }
    if (instances.length !== INSTANCE_IDS.length) return undefined;
    return {
      instances,
      from: hub.addressSpace,
      comments: ['ASN 65515 (fixed in a Virtual WAN hub); the scale unit is not in the file: 1 assumed.'],
    };
  }

  private readLink(entry: SiteEntry, sites: Map<string, IrSite>): { site: IrSite; ir: IrLink } | undefined {
    const reader = this.reader;
    const ip = reader.requireString(entry.site, 'IPAddress', "the device's public IP");
    if (ip === undefined) return undefined;
    let site = sites.get(entry.name.value);
    if (site === undefined) {
      site = {
        name: entry.name,
        addressSpace: [],
        device: {
          name: derivedName('', entry.name.value, '-device'),
          links: [],
          from: entry.site,
          comments: [
            `The file describes site ${entry.name.value} by its links only: imported as one device holding all of them.`,
            'The file does not record bgpAddressOn, ecmp, connectionMode, bgpTimers or deadTunnelRoutes: vwan-ha defaults apply.',
          ],
        },
        from: entry.site,
        comments: [],
      };
      sites.set(entry.name.value, site);
    }
    const linkNameAt = reader.string(entry.site, 'LinkName');
    const linkName =
      linkNameAt === undefined
        ? {
            value: derivedName('', entry.name.value, `-link${site.device.links.length + 1}`),
            from: entry.name.from,
          }
        : cleanName(linkNameAt, 'site link', this.issues);
    if (linkName === undefined) return undefined;
    const link: IrLink = {
      name: linkName,
      ipAddress: { value: ip.value.trim(), from: ip },
      from: entry.site,
      comments: [],
    };
    const bgp = reader.object(entry.site, 'BgpSetting');
    if (bgp !== undefined) {
      reader.checkFields(bgp, SITE_BGP_FIELDS, 'vpnSiteConfiguration.BgpSetting');
      const asn = reader.number(bgp, 'Asn');
      if (asn === undefined && !reader.has(bgp, 'Asn')) reader.missing(bgp, 'Asn', "the device's ASN");
      const address = reader.requireString(bgp, 'BgpPeeringAddress', "the device's BGP address");
      const weight = reader.number(bgp, 'PeerWeight');
      if (weight !== undefined && weight.value !== 0)
        link.comments.push(`Azure: PeerWeight ${weight.value} (not modelled)`);
      if (asn !== undefined && address !== undefined) {
        link.bgp = {
          asn: { value: asn.value, from: asn },
          bgpPeeringAddress: { value: address.value.trim(), from: address },
          from: bgp,
        };
      }
    }
    site.device.links.push(link);
    return { site, ir: link };
  }

  private readConnectionConfiguration(entry: SiteEntry, link: IrLink): IrLinkConnection | undefined {
    const reader = this.reader;
    const config = reader.requireObject(
      entry.connection,
      'connectionConfiguration',
      'it says whether BGP is on, and the IPsec parameters',
    );
    if (config === undefined) return undefined;
    reader.checkFields(config, CONNECTION_CONFIG_FIELDS, 'connectionConfiguration');
    const lc: IrLinkConnection = {
      name: { value: derivedName('', link.name.value, '-conn'), from: link.name.from },
      link,
      customBgpAddresses: [],
      from: entry.connection,
      comments: [],
    };
    const bgp = reader.boolean(config, 'IsBgpEnabled');
    if (bgp === undefined && !reader.has(config, 'IsBgpEnabled')) {
      reader.missing(config, 'IsBgpEnabled', 'whether the link connection runs BGP');
    }
    if (bgp !== undefined) {
      lc.enableBgp = { value: bgp.value, from: bgp };
      if (bgp.value && link.bgp === undefined) {
        this.issues.error(
          bgp,
          `BGP is on, but site ${entry.name.value}'s vpnSiteConfiguration has no BgpSetting (Asn, BgpPeeringAddress): add it, or set IsBgpEnabled to false`,
        );
      }
    }
    const psk = reader.field(config, 'PSK');
    if (psk !== undefined) this.secrets.saw(psk);
    const dpd = dpdTimeout(reader.number(config, 'DpdTimeoutSeconds'), this.issues);
    if (dpd !== undefined) lc.dpdTimeoutSeconds = dpd;
    const ipsec = reader.object(config, 'IPsecParameters');
    if (ipsec !== undefined) {
      reader.checkFields(ipsec, IPSEC_FIELDS, 'IPsecParameters');
      const life = reader.number(ipsec, 'SALifeTimeInSeconds');
      if (life !== undefined && life.value !== AZURE.ipsec.saLifeTimeSeconds) {
        lc.saLifeTimeSeconds = { value: life.value, from: life };
      }
      const size = reader.number(ipsec, 'SADataSizeInKilobytes');
      if (size !== undefined && size.value !== AZURE.ipsec.saDataSizeKilobytes) {
        lc.saDataSizeKilobytes = { value: size.value, from: size };
      }
    }
    // A custom (APIPA) Azure BGP address on this connection: the gateway's per-link choice.
    const gateway = reader.object(entry.connection, 'gatewayConfiguration');
    const gatewayBgp = gateway === undefined ? undefined : reader.object(gateway, 'BgpSetting');
    const addresses = gatewayBgp === undefined ? undefined : reader.object(gatewayBgp, 'BgpPeeringAddresses');
    if (addresses !== undefined && lc.enableBgp?.value === true) {
      for (const id of INSTANCE_IDS) {
        const address = reader.string(addresses, AZURE.instances.armNames[id]);
        if (address !== undefined && isCustomApipa(address.value.trim())) {
          lc.customBgpAddresses.push({
            instance: id,
            address: { value: address.value.trim(), from: address },
            from: addresses,
          });
        }
      }
    }
    return lc;
  }

  private sitePrefixes(ir: IrTopology): void {
    const bySite = connectionsBySite(ir);
    const given = this.options.sitePrefixes ?? {};
    for (const name of Object.keys(given)) {
      if (!ir.sites.some((site) => site.name.value === name)) {
        this.issues.error(
          optionOrigin('--site-prefix'),
          `no imported VPN site is named ${quoted(name)} (sites: ${listed(ir.sites.map((site) => site.name.value))}): --site-prefix names one of those`,
        );
      }
    }
    for (const site of ir.sites) {
      const connection = bySite.get(site);
      const bgp = connection?.linkConnections.some((lc) => lc.enableBgp?.value === true) === true;
      const prefixes = given[site.name.value];
      if (bgp) {
        if (prefixes !== undefined)
          site.device.advertisedPrefixes = optionPrefixes('--site-prefix', prefixes);
        else {
          this.issues.warning(
            site.from,
            `BGP site ${site.name.value}: the file does not record what the device announces; add advertisedPrefixes to its device, or pass --site-prefix ${site.name.value}=<cidr>[,<cidr>]`,
          );
          site.device.comments.push(
            'advertisedPrefixes: not in the file; list what this device announces over BGP',
          );
        }
      } else if (prefixes !== undefined) {
        site.addressSpace = optionPrefixes('--site-prefix', prefixes);
        site.comments.push(
          'addressSpace from --site-prefix (the file does not carry a static site’s prefixes)',
        );
      } else {
        this.issues.error(
          site.from,
          `static site ${site.name.value} (BGP off): the file does not carry its address space, which Azure routes to it; pass --site-prefix ${site.name.value}=<cidr>[,<cidr>]`,
        );
      }
    }
  }
}

/** Imports a "Download VPN configuration" file (already parsed JSON) into a topology. */
export function importVpnConfig(source: string, value: Json, options: ImportOptions = {}): ImportResult {
  return new VpnConfigImport(source, value, options).run();
}
