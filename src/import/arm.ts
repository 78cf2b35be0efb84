/**
 * `vwan-ha import arm`: Azure's resources (virtualHubs, vpnGateways, vpnSites,
 * vpnConnections, hubVirtualNetworkConnections, virtualNetworks) → a topology.
 *
 * Azure's ids become names (the last segment of `…/vpnSites/branch1/vpnSiteLinks/isp1`).
 * A vpnSite has one `deviceProperties` and up to four links, so it becomes a site
 * with one device holding all its links. Values the model has no field for become
 * warnings (when they change behaviour) or comments in the output; pre-shared keys
 * are never written. Field lists follow the Microsoft.Network REST API (virtualWan.json,
 * 2023-09-01) and what az CLI prints. Platform-free.
 */
import { AZURE, type ConnectionMode, INSTANCE_IDS, type InstanceId } from '../model/index.ts';
import {
  type ArmFile,
  type ArmResource,
  collectResources,
  ENVELOPE_KEYS,
  parseResourceId,
  propertiesOf,
} from './arm-resources.ts';
import {
  announcesNothing,
  applySingleTunnels,
  cleanName,
  connectionsBySite,
  derivedName,
  dpdTimeout,
  type ImportOptions,
  type ImportResult,
  instanceFrom,
  mergeLinksSharingAnIp,
  optionOrigin,
  optionPrefixes,
  SecretTracker,
  sortIssues,
} from './common.ts';
import { emitTopology } from './emit.ts';
import type {
  IrConnection,
  IrCustomBgpAddress,
  IrGateway,
  IrHub,
  IrInstance,
  IrLink,
  IrLinkConnection,
  IrSite,
  IrTopology,
  IrVnet,
  Sourced,
} from './ir.ts';
import { valueLimitProblem } from './limits.ts';
import {
  type At,
  IssueList,
  type Json,
  type JsonObject,
  listed,
  quoted,
  type Reader,
  shown,
} from './reader.ts';

const T = {
  hub: 'microsoft.network/virtualhubs',
  hubVnetConnection: 'microsoft.network/virtualhubs/hubvirtualnetworkconnections',
  gateway: 'microsoft.network/vpngateways',
  connection: 'microsoft.network/vpngateways/vpnconnections',
  linkConnection: 'microsoft.network/vpngateways/vpnconnections/vpnlinkconnections',
  site: 'microsoft.network/vpnsites',
  siteLink: 'microsoft.network/vpnsites/vpnsitelinks',
  vnet: 'microsoft.network/virtualnetworks',
} as const;

const HANDLED_TYPES = new Set<string>(Object.values(T));

/** Keys of an entry in a list of sub-resources (connections[], vpnSiteLinks[] …); az adds resourceGroup to each. */
const SUB_ENVELOPE = ['id', 'name', 'etag', 'type', 'properties', 'location', 'tags', 'resourceGroup'];

const GATEWAY_FIELDS = [
  'virtualHub',
  'connections',
  'bgpSettings',
  'provisioningState',
  'vpnGatewayScaleUnit',
  'ipConfigurations',
  'enableBgpRouteTranslationForNat',
  'isRoutingPreferenceInternet',
  'natRules',
  'packetCaptureDiagnosticState',
  'resourceGuid',
];
const BGP_SETTINGS_FIELDS = ['asn', 'bgpPeeringAddress', 'peerWeight', 'bgpPeeringAddresses'];
const BGP_PEERING_ADDRESS_FIELDS = [
  'ipconfigurationId',
  'defaultBgpIpAddresses',
  'customBgpIpAddresses',
  'tunnelIpAddresses',
];
const IP_CONFIGURATION_FIELDS = ['id', 'publicIpAddress', 'privateIpAddress'];
const CONNECTION_FIELDS = [
  'remoteVpnSite',
  'routingWeight',
  'dpdTimeoutSeconds',
  'connectionStatus',
  'connectionStatusDetails',
  'vpnConnectionProtocolType',
  'ingressBytesTransferred',
  'egressBytesTransferred',
  'connectionBandwidth',
  'connectionBandwidthInMbps',
  'sharedKey',
  'enableBgp',
  'usePolicyBasedTrafficSelectors',
  'ipsecPolicies',
  'trafficSelectorPolicies',
  'enableRateLimiting',
  'enableInternetSecurity',
  'useLocalAzureIpAddress',
  'provisioningState',
  'vpnLinkConnections',
  'routingConfiguration',
  'packetCaptureDiagnosticState',
  'resourceGuid',
];
const LINK_CONNECTION_FIELDS = [
  'vpnSiteLink',
  'routingWeight',
  'vpnLinkConnectionMode',
  'connectionStatus',
  'connectionStatusDetails',
  'vpnConnectionProtocolType',
  'ingressBytesTransferred',
  'egressBytesTransferred',
  'connectionBandwidth',
  'sharedKey',
  'enableBgp',
  'vpnGatewayCustomBgpAddresses',
  'usePolicyBasedTrafficSelectors',
  'ipsecPolicies',
  'enableRateLimiting',
  'useLocalAzureIpAddress',
  'provisioningState',
  'ingressNatRules',
  'egressNatRules',
  'dpdTimeoutSeconds',
  'packetCaptureDiagnosticState',
  'resourceGuid',
];
const CUSTOM_BGP_FIELDS = ['ipConfigurationId', 'customBgpIpAddress'];
const IPSEC_POLICY_FIELDS = [
  'saLifeTimeSeconds',
  'saDataSizeKilobytes',
  'ipsecEncryption',
  'ipsecIntegrity',
  'ikeEncryption',
  'ikeIntegrity',
  'dhGroup',
  'pfsGroup',
];
const SITE_FIELDS = [
  'virtualWan',
  'deviceProperties',
  'ipAddress',
  'siteKey',
  'addressSpace',
  'bgpProperties',
  'provisioningState',
  'isSecuritySite',
  'vpnSiteLinks',
  'o365Policy',
  'resourceGuid',
];
const DEVICE_PROPERTIES_FIELDS = ['deviceVendor', 'deviceModel', 'linkSpeedInMbps'];
const SITE_LINK_FIELDS = ['linkProperties', 'ipAddress', 'fqdn', 'bgpProperties', 'provisioningState'];
const LINK_BGP_FIELDS = ['asn', 'bgpPeeringAddress'];
const LINK_PROVIDER_FIELDS = ['linkProviderName', 'linkSpeedInMbps'];

const lastName = (resource: ArmResource) => resource.names[resource.names.length - 1] as string;

class ArmImport {
  readonly issues = new IssueList();
  readonly secrets: SecretTracker;
  private readonly sites = new Map<ArmResource | JsonObject, IrSite>();

  constructor(
    readonly files: readonly ArmFile[],
    readonly options: ImportOptions,
  ) {
    this.secrets = new SecretTracker(options.includePsk === true);
  }

  run(): ImportResult {
    for (const file of this.files) {
      const problem = valueLimitProblem(file.value);
      if (problem !== undefined) this.issues.error({ source: file.source, path: [] }, problem);
    }
    if (this.issues.errorCount > 0) return this.failed();
    const resources = collectResources(
      this.files,
      this.issues,
      this.options.ignoreUnknown === true ? 'warning' : 'error',
    );
    const origin = { source: this.files[0]?.source ?? 'input', path: [] };
    const hubs = resources.ofType(T.hub);
    const gateways = resources.ofType(T.gateway);

    let hubResource: ArmResource | undefined;
    if (this.options.hub !== undefined) {
      hubResource = hubs.find((hub) => lastName(hub).toLowerCase() === this.options.hub?.toLowerCase());
      if (hubResource === undefined && hubs.length > 0) {
        this.issues.error(
          optionOrigin('--hub'),
          `no virtualHubs resource is named ${quoted(this.options.hub)}; the file has ${listed(hubs.map(lastName))}: pass one of those to --hub`,
        );
        return this.failed();
      }
    } else if (hubs.length === 1) {
      hubResource = hubs[0];
    } else if (hubs.length > 1) {
      this.issues.error(
        origin,
        `the file holds ${hubs.length} virtual hubs (${listed(hubs.map(lastName))}); a topology is one hub: choose one with --hub <name>`,
      );
      return this.failed();
    }

    const gateway = this.pickGateway(gateways, hubResource, origin);
    const hub = this.readHub(hubResource, gateway, origin);
    if (gateway === undefined) return this.failed();
    const irGateway = this.readGateway(gateway);
    const vnets = hubResource === undefined ? [] : this.readVnets(hubResource, resources);
    const connections = this.readConnections(gateway, resources);

    const connectedSites = new Set(connections.map((connection) => connection.site));
    for (const site of resources.ofType(T.site)) {
      const ir = this.sites.get(site);
      if (ir === undefined || !connectedSites.has(ir)) {
        this.issues.note(
          site.at,
          `vpnSite ${shown(lastName(site))} has no connection on gateway ${shown(lastName(gateway))}; not imported`,
        );
      }
    }
    this.noteIgnoredTypes(resources.list);

    if (hub === undefined || irGateway === undefined || this.issues.errorCount > 0) return this.failed();
    const ir: IrTopology = {
      hub,
      vnets,
      gateway: irGateway,
      sites: [...connectedSites],
      connections,
      header: [
        `Imported by vwan-ha from ${this.files.map((file) => file.source).join(', ')} (Azure ARM resources).`,
        'Check the comments: they mark what Azure does not record about the remote devices.',
      ],
    };
    this.applySitePrefixes(ir);
    applySingleTunnels(ir, this.options, this.issues);
    mergeLinksSharingAnIp(ir, this.issues);
    this.secrets.report(this.issues);
    if (this.issues.errorCount > 0) return this.failed();
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

  private noteIgnoredTypes(list: readonly ArmResource[]): void {
    const ignored = new Map<string, ArmResource>();
    for (const resource of list) {
      if (!HANDLED_TYPES.has(resource.type) && !ignored.has(resource.type))
        ignored.set(resource.type, resource);
    }
    for (const [type, first] of ignored) {
      const count = list.filter((resource) => resource.type === type).length;
      this.issues.note(
        first.at,
        `${count} ${shown(type)} resource(s) not used by the topology model; skipped`,
      );
    }
  }

  // ------------------------------------------------------------------ hub and gateway

  private pickGateway(
    gateways: readonly ArmResource[],
    hub: ArmResource | undefined,
    origin: { source: string; path: readonly (string | number)[] },
  ): ArmResource | undefined {
    const hubIdOf = (gateway: ArmResource) => {
      const id = gateway.reader.object(gateway.props, 'virtualHub');
      const text = id === undefined ? undefined : gateway.reader.string(id, 'id');
      return text === undefined ? undefined : parseResourceId(text.value);
    };
    let candidates = [...gateways];
    if (hub !== undefined) {
      const byHub = candidates.filter((gateway) => {
        const parsed = hubIdOf(gateway);
        return parsed === undefined || parsed.names[0]?.toLowerCase() === lastName(hub).toLowerCase();
      });
      const hubGateway = hub.reader.object(hub.props, 'vpnGateway');
      const hubGatewayId = hubGateway === undefined ? undefined : hub.reader.string(hubGateway, 'id');
      const named = hubGatewayId === undefined ? undefined : parseResourceId(hubGatewayId.value);
      const exact =
        named === undefined
          ? []
          : byHub.filter((gateway) => lastName(gateway).toLowerCase() === named.names[0]?.toLowerCase());
      candidates = exact.length > 0 ? exact : byHub;
    } else if (this.options.hub !== undefined) {
      candidates = candidates.filter(
        (gateway) => hubIdOf(gateway)?.names[0]?.toLowerCase() === this.options.hub?.toLowerCase(),
      );
    }
    if (candidates.length === 1) return candidates[0];
    if (candidates.length === 0) {
      const forHub = hub === undefined ? '' : ` for hub ${shown(lastName(hub))}`;
      this.issues.error(
        origin,
        `no Microsoft.Network/vpnGateways resource${forHub}: the topology is built around the hub's site-to-site VPN gateway; add it (e.g. \`az network vpn-gateway show\` output, in a list with the other resources)`,
      );
      return undefined;
    }
    this.issues.error(
      origin,
      `${candidates.length} VPN gateways (${listed(candidates.map(lastName))}) and no hub to choose between them: add the virtualHubs resource or pass --hub <name>`,
    );
    return undefined;
  }

  private readHub(
    resource: ArmResource | undefined,
    gateway: ArmResource | undefined,
    origin: { source: string; path: readonly (string | number)[] },
  ): IrHub | undefined {
    if (resource === undefined) {
      if (gateway === undefined) return undefined;
      const hubRef = gateway.reader.object(gateway.props, 'virtualHub');
      const id = hubRef === undefined ? undefined : gateway.reader.string(hubRef, 'id');
      const parsed = id === undefined ? undefined : parseResourceId(id.value);
      const name = parsed?.names[0] ?? this.options.hub;
      if (this.options.hubPrefix === undefined || name === undefined) {
        this.issues.error(
          origin,
          `no Microsoft.Network/virtualHubs resource${name === undefined ? '' : ` for hub ${shown(name)}`}: its addressPrefix is needed; add \`az network vhub show\` output to the files, or pass --hub-prefix <cidr>${name === undefined ? ' and --hub <name>' : ''}`,
        );
        return undefined;
      }
      const from = id ?? optionOrigin('--hub');
      return {
        name: { value: name, from: { source: from.source, path: from.path } },
        addressPrefix: { value: this.options.hubPrefix, from: optionOrigin('--hub-prefix') },
        from: { source: gateway.at.source, path: gateway.at.path },
        comments: [
          'from the gateway’s virtualHub id and --hub-prefix (the file has no virtualHubs resource)',
        ],
      };
    }
    const { reader, props } = resource;
    const nameAt = this.nameOf(resource);
    const prefix = reader.string(props, 'addressPrefix');
    let addressPrefix: Sourced<string> | undefined;
    if (prefix !== undefined) addressPrefix = { value: prefix.value.trim(), from: prefix };
    else if (this.options.hubPrefix !== undefined) {
      addressPrefix = { value: this.options.hubPrefix, from: optionOrigin('--hub-prefix') };
    } else {
      reader.missing(
        props,
        'addressPrefix',
        "the hub's address space (e.g. 10.0.0.0/24) is needed; pass --hub-prefix if the file leaves it out",
      );
    }
    const preference = reader.string(props, 'hubRoutingPreference');
    if (nameAt === undefined || addressPrefix === undefined) return undefined;
    const hub: IrHub = { name: nameAt, addressPrefix, from: resource.at, comments: [] };
    if (preference !== undefined) {
      const known = AZURE.hub.routingPreferences.find(
        (p) => p.toLowerCase() === preference.value.toLowerCase(),
      );
      if (known === undefined) {
        this.issues.error(preference, `expected one of ${AZURE.hub.routingPreferences.join(', ')}`);
      } else {
        hub.hubRoutingPreference = { value: known, from: preference };
      }
    }
    return hub;
  }

  private nameOf(resource: ArmResource): Sourced<string> | undefined {
    // The name comes from `name`, else from the last segment of `id`: messages point at whichever it was.
    const at = resource.reader.string(resource.at, 'name') ?? resource.reader.string(resource.at, 'id');
    const name = lastName(resource);
    const from = at ?? { source: resource.at.source, path: resource.at.path };
    return cleanName(
      { value: name, source: from.source, path: from.path },
      resource.type.split('/').pop() ?? 'resource',
      this.issues,
    );
  }

  private readGateway(resource: ArmResource): IrGateway | undefined {
    const { reader, props } = resource;
    reader.checkFields(
      props,
      resource.flattened ? [...GATEWAY_FIELDS, ...ENVELOPE_KEYS] : GATEWAY_FIELDS,
      'a vpnGateways resource',
    );
    const name = this.nameOf(resource);
    const gateway: IrGateway = {
      name: name ?? { value: lastName(resource), from: resource.at },
      instances: [],
      from: resource.at,
      comments: [],
    };
    const scale = reader.number(props, 'vpnGatewayScaleUnit');
    if (scale !== undefined) gateway.vpnGatewayScaleUnit = { value: scale.value, from: scale };

    for (const natRule of reader.array(props, 'natRules')) {
      this.issues.warning(
        natRule,
        'NAT rules are not modelled: addresses are simulated as configured, untranslated',
      );
    }
    const translation = reader.boolean(props, 'enableBgpRouteTranslationForNat');
    if (translation?.value === true) {
      this.issues.warning(translation, 'BGP route translation for NAT is not modelled');
    }
    const internet = reader.boolean(props, 'isRoutingPreferenceInternet');
    if (internet?.value === true)
      gateway.comments.push('Azure: isRoutingPreferenceInternet true (not modelled)');

    const ipConfigurations = new Map<InstanceId, At<JsonObject>>();
    for (const item of reader.array(props, 'ipConfigurations')) {
      const config = reader.asObject(item, 'an ipConfiguration');
      if (config === undefined) continue;
      reader.checkFields(config, IP_CONFIGURATION_FIELDS, 'an ipConfiguration');
      const id = reader.string(config, 'id');
      const instance = id === undefined ? undefined : instanceFrom(id.value);
      if (instance !== undefined) ipConfigurations.set(instance, config);
    }

    const bgp = reader.object(props, 'bgpSettings');
    const peering = new Map<InstanceId, At<JsonObject>>();
    let legacyBgpIps: At<string>[] = [];
    if (bgp !== undefined) {
      reader.checkFields(bgp, BGP_SETTINGS_FIELDS, 'bgpSettings');
      const asn = reader.number(bgp, 'asn');
      if (asn !== undefined) gateway.asn = { value: asn.value, from: asn };
      const weight = reader.number(bgp, 'peerWeight');
      if (weight !== undefined && weight.value !== 0)
        gateway.comments.push(`Azure: bgpSettings.peerWeight ${weight.value} (not modelled)`);
      for (const item of reader.array(bgp, 'bgpPeeringAddresses')) {
        const entry = reader.asObject(item, 'a bgpPeeringAddresses entry');
        if (entry === undefined) continue;
        reader.checkFields(entry, BGP_PEERING_ADDRESS_FIELDS, 'a bgpPeeringAddresses entry');
        const id = reader.requireString(
          entry,
          'ipconfigurationId',
          'it names the instance, Instance0 or Instance1',
        );
        if (id === undefined) continue;
        const instance = instanceFrom(id.value);
        if (instance === undefined) {
          this.issues.error(
            id,
            `${quoted(id.value)} is not a gateway instance; expected Instance0 or Instance1`,
          );
        } else if (peering.has(instance)) {
          this.issues.error(
            id,
            `${shown(id.value)} is listed twice in bgpPeeringAddresses; keep one entry per instance`,
          );
        } else {
          peering.set(instance, entry);
        }
      }
      const legacy = reader.string(bgp, 'bgpPeeringAddress');
      if (legacy !== undefined) {
        legacyBgpIps = legacy.value
          .split(',')
          .map((text) => text.trim())
          .filter((text) => text !== '')
          .map((text) => ({ ...legacy, value: text }));
      }
    } else {
      this.issues.error(
        props,
        "bgpSettings is missing: each instance's public IP and BGP address come from bgpSettings.bgpPeeringAddresses",
      );
    }

    INSTANCE_IDS.forEach((id, index) => {
      const armName = AZURE.instances.armNames[id];
      const entry = peering.get(id);
      const config = ipConfigurations.get(id);
      const where = entry ?? bgp ?? props;
      let tunnel: Sourced<string> | undefined;
      let defaultBgp: Sourced<string> | undefined;
      const custom: Sourced<string>[] = [];
      if (entry !== undefined) {
        const tunnels = reader.strings(entry, 'tunnelIpAddresses');
        if (tunnels[0] !== undefined) tunnel = { value: tunnels[0].value, from: tunnels[0] };
        const defaults = reader.strings(entry, 'defaultBgpIpAddresses');
        if (defaults[0] !== undefined) defaultBgp = { value: defaults[0].value, from: defaults[0] };
        if (defaults.length > 1) {
          this.issues.warning(
            defaults[1] as At<string>,
            `${armName} has ${defaults.length} default BGP addresses; the first, ${shown(defaults[0]?.value ?? '')}, is used`,
          );
        }
        for (const address of reader.strings(entry, 'customBgpIpAddresses'))
          custom.push({ value: address.value, from: address });
      }
      if (tunnel === undefined && config !== undefined) {
        const publicIp = reader.string(config, 'publicIpAddress');
        if (publicIp !== undefined) tunnel = { value: publicIp.value, from: publicIp };
      }
      if (defaultBgp === undefined && legacyBgpIps[index] !== undefined) {
        const legacy = legacyBgpIps[index] as At<string>;
        defaultBgp = { value: legacy.value, from: legacy };
      }
      if (defaultBgp === undefined && this.options.gatewayBgpIps?.[index] !== undefined) {
        defaultBgp = {
          value: this.options.gatewayBgpIps[index] as string,
          from: optionOrigin('--gateway-bgp-ips'),
        };
      }
      if (tunnel === undefined) {
        this.issues.error(
          where,
          `no public IP for ${armName}: expected bgpSettings.bgpPeeringAddresses[ipconfigurationId=${armName}].tunnelIpAddresses[0] or ipConfigurations[id=${armName}].publicIpAddress`,
        );
      }
      if (defaultBgp === undefined) {
        this.issues.error(
          where,
          `no default BGP address for ${armName}: expected bgpPeeringAddresses[ipconfigurationId=${armName}].defaultBgpIpAddresses[0]; or pass --gateway-bgp-ips <IN_0>,<IN_1>`,
        );
      }
      if (tunnel === undefined || defaultBgp === undefined) return;
      const instance: IrInstance = {
        id,
        tunnelIpAddress: tunnel,
        defaultBgpIpAddress: defaultBgp,
        customBgpIpAddresses: custom,
        from: entry ?? where,
      };
      gateway.instances.push(instance);
    });
    return gateway;
  }

  // ------------------------------------------------------------------ vnets

  private readVnets(hub: ArmResource, resources: ReturnType<typeof collectResources>): IrVnet[] {
    const entries: { at: At<JsonObject>; reader: Reader }[] = [];
    for (const item of hub.reader.array(hub.props, 'virtualNetworkConnections')) {
      const at = hub.reader.asObject(item, 'a virtualNetworkConnections entry');
      if (at !== undefined) entries.push({ at, reader: hub.reader });
    }
    for (const child of resources.children(hub, 'hubVirtualNetworkConnections')) {
      entries.push({ at: child.at, reader: child.reader });
    }
    const vnets: IrVnet[] = [];
    const seen = new Set<string>();
    for (const { at, reader } of entries) {
      const { props } = propertiesOf(reader, at);
      const remote = reader.requireObject(props, 'remoteVirtualNetwork', 'it names the connected vnet');
      if (remote === undefined) continue;
      const id = reader.requireString(remote, 'id', 'the id of the connected virtual network');
      const parsed = id === undefined ? undefined : parseResourceId(id.value);
      if (id === undefined) continue;
      if (parsed === undefined || parsed.type !== T.vnet) {
        this.issues.error(id, 'expected the id of a Microsoft.Network/virtualNetworks resource');
        continue;
      }
      const vnetName = parsed.names[0] as string;
      if (seen.has(vnetName.toLowerCase())) continue;
      seen.add(vnetName.toLowerCase());
      const name = cleanName({ ...id, value: vnetName }, 'vnet', this.issues);
      if (name === undefined) continue;
      const prefixes = this.vnetPrefixes(vnetName, remote, reader, resources);
      if (prefixes === undefined) {
        this.issues.error(
          id,
          `the address space of vnet ${shown(vnetName)} is not in the files: add its virtualNetworks resource (\`az network vnet show\`), or pass --vnet-prefix ${shown(vnetName)}=<cidr>[,<cidr>]`,
        );
        continue;
      }
      vnets.push({ name, addressPrefixes: prefixes, from: at, comments: [] });
    }
    for (const vnet of Object.keys(this.options.vnetPrefixes ?? {})) {
      if (!seen.has(vnet.toLowerCase())) {
        this.issues.error(
          optionOrigin('--vnet-prefix'),
          `no vnet connection of the hub is named ${quoted(vnet)}${seen.size > 0 ? ` (connected: ${listed([...seen])})` : ''}: --vnet-prefix must name a vnet connected to the hub`,
        );
      }
    }
    return vnets;
  }

  private vnetPrefixes(
    name: string,
    remote: At<JsonObject>,
    remoteReader: Reader,
    resources: ReturnType<typeof collectResources>,
  ): Sourced<string>[] | undefined {
    const fromObject = (reader: Reader, props: At<JsonObject>) => {
      const space = reader.object(props, 'addressSpace');
      if (space === undefined) return undefined;
      const prefixes = reader.strings(space, 'addressPrefixes');
      return prefixes.length === 0 ? undefined : prefixes.map((p) => ({ value: p.value.trim(), from: p }));
    };
    const embedded = fromObject(remoteReader, propertiesOf(remoteReader, remote).props);
    if (embedded !== undefined) return embedded;
    const resource = resources.get(T.vnet, [name]);
    if (resource !== undefined) {
      const found = fromObject(resource.reader, resource.props);
      if (found !== undefined) return found;
    }
    const given = this.options.vnetPrefixes?.[name];
    return given === undefined ? undefined : optionPrefixes('--vnet-prefix', given);
  }

  // ------------------------------------------------------------------ connections

  private readConnections(
    gateway: ArmResource,
    resources: ReturnType<typeof collectResources>,
  ): IrConnection[] {
    const entries = new Map<string, { at: At<JsonObject>; reader: Reader; resource?: ArmResource }>();
    for (const child of resources.children(gateway, 'vpnConnections')) {
      entries.set(lastName(child).toLowerCase(), { at: child.at, reader: child.reader, resource: child });
    }
    for (const item of gateway.reader.array(gateway.props, 'connections')) {
      const at = gateway.reader.asObject(item, 'a connections entry');
      if (at === undefined) continue;
      const name = gateway.reader.requireString(at, 'name', 'every connection has a name');
      if (name === undefined) continue;
      if (!entries.has(name.value.toLowerCase()))
        entries.set(name.value.toLowerCase(), { at, reader: gateway.reader });
    }
    const out: IrConnection[] = [];
    for (const { at, reader, resource } of entries.values()) {
      const connection = this.readConnection(at, reader, resource, resources);
      if (connection !== undefined) out.push(connection);
    }
    return out;
  }

  private readConnection(
    at: At<JsonObject>,
    reader: Reader,
    resource: ArmResource | undefined,
    resources: ReturnType<typeof collectResources>,
  ): IrConnection | undefined {
    const { props, flattened } = propertiesOf(reader, at);
    const known = resource !== undefined ? ENVELOPE_KEYS : SUB_ENVELOPE;
    if (!flattened) reader.checkFields(at, [...known], 'a vpnConnections resource');
    reader.checkFields(
      props,
      flattened ? [...CONNECTION_FIELDS, ...known] : CONNECTION_FIELDS,
      'a vpnConnection',
    );
    const nameAt =
      resource !== undefined
        ? {
            value: lastName(resource),
            source: at.source,
            path: reader.has(at, 'name') ? [...at.path, 'name'] : at.path,
          }
        : reader.string(at, 'name');
    if (nameAt === undefined) return undefined;
    const name = cleanName(nameAt, 'connection', this.issues);
    const remote = reader.requireObject(
      props,
      'remoteVpnSite',
      'it names the VPN site this connection reaches',
    );
    if (name === undefined || remote === undefined) return undefined;
    const site = this.siteFor(remote, reader, resources);
    if (site === undefined) return undefined;
    const connection: IrConnection = { name, site, linkConnections: [], from: at, comments: [] };

    for (const policy of reader.array(props, 'trafficSelectorPolicies')) {
      this.issues.warning(
        policy,
        'traffic selector policies are not modelled: tunnels are route-based, 0.0.0.0/0 ↔ 0.0.0.0/0',
      );
    }
    const internet = reader.boolean(props, 'enableInternetSecurity');
    if (internet?.value === true)
      connection.comments.push(
        'Azure: enableInternetSecurity true (default route to the site; not modelled)',
      );
    this.routingConfiguration(props, reader);

    const items: { at: At<JsonObject>; reader: Reader; resource?: boolean }[] = [];
    for (const item of reader.array(props, 'vpnLinkConnections')) {
      const lc = reader.asObject(item, 'a vpnLinkConnections entry');
      if (lc !== undefined) items.push({ at: lc, reader });
    }
    if (resource !== undefined) {
      const inline = new Set(items.map((item) => item.reader.string(item.at, 'name')?.value.toLowerCase()));
      for (const child of resources.children(resource, 'vpnLinkConnections')) {
        const childName = lastName(child).toLowerCase();
        if (!inline.has(childName)) items.push({ at: child.at, reader: child.reader, resource: true });
      }
    }
    if (items.length === 0) {
      const legacy = this.legacyLinkConnection(props, reader, name, site);
      if (legacy !== undefined) connection.linkConnections.push(legacy);
    }
    for (const item of items) {
      const lc = this.readLinkConnection(item.at, item.reader, site, item.resource === true);
      if (lc !== undefined) connection.linkConnections.push(lc);
    }
    if (connection.linkConnections.length === 0) {
      this.issues.error(
        props,
        'the connection has no vpnLinkConnections, so no tunnels: add them (each names a site link)',
      );
      return undefined;
    }
    return connection;
  }

  private routingConfiguration(props: At<JsonObject>, reader: Reader): void {
    const routing = reader.object(props, 'routingConfiguration');
    const propagated = routing === undefined ? undefined : reader.object(routing, 'propagatedRouteTables');
    if (propagated === undefined) return;
    const labels = reader.strings(propagated, 'labels').map((label) => label.value.toLowerCase());
    const ids = reader
      .array(propagated, 'ids')
      .map((item) => reader.asObject(item, 'a route table reference'))
      .map((ref) => (ref === undefined ? undefined : reader.string(ref, 'id')?.value.toLowerCase()));
    const toDefault = labels.includes('default') || ids.some((id) => id?.endsWith('/defaultroutetable'));
    if (labels.length + ids.length > 0 && !toDefault) {
      this.issues.warning(
        propagated,
        "the connection's routes are not propagated to the hub's default route table; the model propagates every site's routes to the hub and all vnets",
      );
    }
  }

  private legacyLinkConnection(
    props: At<JsonObject>,
    reader: Reader,
    name: Sourced<string>,
    site: IrSite,
  ): IrLinkConnection | undefined {
    const link = site.device.links[0];
    if (link === undefined || site.device.links.length > 1) {
      this.issues.error(
        props,
        `the connection has no vpnLinkConnections and site ${site.name.value} has ${site.device.links.length} links: Azure's per-link settings are missing; add the connection's vpnLinkConnections`,
      );
      return undefined;
    }
    const lc: IrLinkConnection = {
      name,
      link,
      customBgpAddresses: [],
      from: props,
      comments: ["from the connection's own settings (a connection from before vpnLinkConnections)"],
    };
    this.linkConnectionSettings(lc, props, reader);
    return lc;
  }

  private readLinkConnection(
    at: At<JsonObject>,
    reader: Reader,
    site: IrSite,
    isResource: boolean,
  ): IrLinkConnection | undefined {
    const { props, flattened } = propertiesOf(reader, at);
    const envelope = isResource ? [...ENVELOPE_KEYS] : SUB_ENVELOPE;
    if (!flattened) reader.checkFields(at, envelope, 'a vpnLinkConnections entry');
    reader.checkFields(
      props,
      flattened ? [...LINK_CONNECTION_FIELDS, ...envelope] : LINK_CONNECTION_FIELDS,
      'a vpnLinkConnection',
    );
    const nameAt = reader.requireString(at, 'name', 'every link connection has a name');
    const siteLink = reader.requireObject(props, 'vpnSiteLink', 'it names the site link the tunnels use');
    const linkId =
      siteLink === undefined ? undefined : reader.requireString(siteLink, 'id', 'the id of the site link');
    if (nameAt === undefined || linkId === undefined) return undefined;
    const name = cleanName(
      { ...nameAt, value: nameAt.value.split('/').pop() ?? nameAt.value },
      'link connection',
      this.issues,
    );
    const parsed = parseResourceId(linkId.value);
    if (parsed === undefined || parsed.type !== T.siteLink) {
      this.issues.error(linkId, 'expected the id of a vpnSites/vpnSiteLinks resource');
      return undefined;
    }
    const [siteName, linkName] = parsed.names as [string, string];
    if (siteName.trim().toLowerCase() !== site.name.value.toLowerCase()) {
      this.issues.error(
        linkId,
        `names a link of site ${shown(siteName)}, but the connection reaches site ${site.name.value}: use a link of that site`,
      );
      return undefined;
    }
    const link = site.device.links.find(
      (candidate) => candidate.name.value.toLowerCase() === linkName.trim().toLowerCase(),
    );
    if (link === undefined) {
      const names = listed(site.device.links.map((candidate) => candidate.name.value));
      this.issues.error(
        linkId,
        `site ${site.name.value} has no link named ${quoted(linkName)} (${names === '' ? 'it has no links' : `its links: ${names}`}): name one of its links`,
      );
      return undefined;
    }
    if (name === undefined) return undefined;
    const lc: IrLinkConnection = { name, link, customBgpAddresses: [], from: at, comments: [] };
    this.linkConnectionSettings(lc, props, reader);
    for (const item of reader.array(props, 'vpnGatewayCustomBgpAddresses')) {
      const entry = reader.asObject(item, 'a vpnGatewayCustomBgpAddresses entry');
      if (entry === undefined) continue;
      reader.checkFields(entry, CUSTOM_BGP_FIELDS, 'a vpnGatewayCustomBgpAddresses entry');
      const id = reader.requireString(
        entry,
        'ipConfigurationId',
        'it names the instance, Instance0 or Instance1',
      );
      const address = reader.requireString(
        entry,
        'customBgpIpAddress',
        "the instance's APIPA address for this link",
      );
      if (id === undefined || address === undefined) continue;
      const instance = instanceFrom(id.value);
      if (instance === undefined) {
        this.issues.error(
          id,
          `${quoted(id.value)} is not a gateway instance; expected Instance0 or Instance1`,
        );
        continue;
      }
      const custom: IrCustomBgpAddress = {
        instance,
        address: { value: address.value, from: address },
        from: entry,
      };
      lc.customBgpAddresses.push(custom);
    }
    for (const key of ['ingressNatRules', 'egressNatRules']) {
      for (const rule of reader.array(props, key)) {
        this.issues.warning(rule, 'NAT rules are not modelled: addresses are simulated untranslated');
      }
    }
    const mode = reader.string(props, 'vpnLinkConnectionMode');
    if (mode !== undefined) {
      const known = AZURE.ipsec.linkConnectionModes.find((m) => m.toLowerCase() === mode.value.toLowerCase());
      if (known === undefined)
        this.issues.error(mode, `expected one of ${AZURE.ipsec.linkConnectionModes.join(', ')}`);
      else if (known !== 'Default') lc.vpnLinkConnectionMode = { value: known as ConnectionMode, from: mode };
    }
    return lc;
  }

  /** Settings a link connection and a pre-link connection share. */
  private linkConnectionSettings(lc: IrLinkConnection, props: At<JsonObject>, reader: Reader): void {
    const bgp = reader.boolean(props, 'enableBgp');
    if (bgp !== undefined) lc.enableBgp = { value: bgp.value, from: bgp };
    const dpd = dpdTimeout(reader.number(props, 'dpdTimeoutSeconds'), this.issues);
    if (dpd !== undefined) lc.dpdTimeoutSeconds = dpd;
    const key = reader.field(props, 'sharedKey');
    if (key !== undefined && !(typeof key.value === 'string' && key.value === '')) this.secrets.saw(key);

    const policyBased = reader.boolean(props, 'usePolicyBasedTrafficSelectors');
    if (policyBased?.value === true) {
      this.issues.warning(
        policyBased,
        'policy-based traffic selectors are not modelled: the topology (and `vwan-ha export device`) use route-based tunnels, 0.0.0.0/0 ↔ 0.0.0.0/0',
      );
    }
    const protocol = reader.string(props, 'vpnConnectionProtocolType');
    if (protocol !== undefined && protocol.value.toUpperCase() === 'IKEV1') {
      this.issues.warning(
        protocol,
        'IKEv1: the model simulates IKEv2 tunnels (DPD, rekey and DELETE behave as IKEv2)',
      );
    }
    const local = reader.boolean(props, 'useLocalAzureIpAddress');
    if (local?.value === true) {
      this.issues.warning(
        local,
        "tunnels to the instances' private IPs (useLocalAzureIpAddress) are not modelled: the topology uses each instance's public tunnelIpAddress",
      );
    }
    const limiting = reader.boolean(props, 'enableRateLimiting');
    if (limiting?.value === true) lc.comments.push('Azure: enableRateLimiting true (not modelled)');
    const weight = reader.number(props, 'routingWeight');
    if (weight !== undefined && weight.value !== 0)
      lc.comments.push(`Azure: routingWeight ${weight.value} (not modelled)`);
    // 10 Mbps is what Azure writes when nobody set it.
    const bandwidth = reader.number(props, 'connectionBandwidth');
    if (bandwidth !== undefined && bandwidth.value !== 0 && bandwidth.value !== 10) {
      lc.comments.push(`Azure: connectionBandwidth ${bandwidth.value} Mbps (informational; not modelled)`);
    }

    const policies = reader.array(props, 'ipsecPolicies');
    const first = policies[0] === undefined ? undefined : reader.asObject(policies[0], 'an IPsec policy');
    if (first === undefined) return;
    reader.checkFields(first, IPSEC_POLICY_FIELDS, 'an IPsec policy');
    const life = reader.number(first, 'saLifeTimeSeconds');
    if (life !== undefined) lc.saLifeTimeSeconds = { value: life.value, from: life };
    const size = reader.number(first, 'saDataSizeKilobytes');
    if (size !== undefined) lc.saDataSizeKilobytes = { value: size.value, from: size };
    const algorithms = [
      'ikeEncryption',
      'ikeIntegrity',
      'dhGroup',
      'ipsecEncryption',
      'ipsecIntegrity',
      'pfsGroup',
    ]
      .map((field) => {
        const value = reader.string(first, field);
        return value === undefined ? undefined : `${field} ${shown(value.value)}`;
      })
      .filter((text): text is string => text !== undefined);
    if (algorithms.length > 0) {
      lc.comments.push(`Azure custom IPsec/IKE policy: ${algorithms.join(', ')}`);
      this.issues.warning(
        first,
        `a custom IPsec/IKE policy (${algorithms.join(', ')}): its lifetimes are imported (ipsec.saLifeTimeSeconds, saDataSizeKilobytes); its algorithms are not modelled, and \`vwan-ha export device --profile azure\` proposes Azure's default policies`,
      );
    }
    if (policies.length > 1) {
      this.issues.warning(
        policies[1] as At<Json>,
        `only the first of ${policies.length} IPsec policies is imported`,
      );
    }
  }

  // ------------------------------------------------------------------ sites

  private siteFor(
    remote: At<JsonObject>,
    reader: Reader,
    resources: ReturnType<typeof collectResources>,
  ): IrSite | undefined {
    const id = reader.string(remote, 'id');
    const parsed = id === undefined ? undefined : parseResourceId(id.value);
    const resource = parsed === undefined ? undefined : resources.get(parsed.type, parsed.names);
    if (resource !== undefined) {
      const cached = this.sites.get(resource);
      if (cached !== undefined) return cached;
      const site = this.readSite(
        resource.at,
        resource.reader,
        lastName(resource),
        resource.flattened ? [...ENVELOPE_KEYS] : undefined,
        resources,
        resource,
      );
      if (site !== undefined) this.sites.set(resource, site);
      return site;
    }
    // Some tools embed the whole site in remoteVpnSite.
    if (reader.has(remote, 'properties')) {
      const cached = this.sites.get(remote.value);
      if (cached !== undefined) return cached;
      const name = reader.string(remote, 'name')?.value ?? parsed?.names[0];
      if (name === undefined) {
        reader.missing(remote, 'name', 'an embedded VPN site needs its name');
        return undefined;
      }
      const site = this.readSite(remote, reader, name, undefined, resources, undefined);
      if (site !== undefined) this.sites.set(remote.value, site);
      return site;
    }
    if (id === undefined) {
      reader.missing(remote, 'id', 'the id of the VPN site');
    } else {
      this.issues.error(
        id,
        `the VPN site ${shown(parsed?.names[0] ?? id.value)} is not in the files: add its vpnSites resource (\`az network vpn-site show -n ${shown(parsed?.names[0] ?? '<site>')}\`)`,
      );
    }
    return undefined;
  }

  private readSite(
    at: At<JsonObject>,
    reader: Reader,
    siteName: string,
    envelope: string[] | undefined,
    resources: ReturnType<typeof collectResources>,
    resource: ArmResource | undefined,
  ): IrSite | undefined {
    const { props, flattened } = propertiesOf(reader, at);
    reader.checkFields(
      props,
      flattened ? [...SITE_FIELDS, ...(envelope ?? SUB_ENVELOPE)] : SITE_FIELDS,
      'a vpnSites resource',
    );
    const nameField = reader.string(at, 'name');
    const name = cleanName(
      { value: siteName, source: at.source, path: nameField?.path ?? at.path },
      'VPN site',
      this.issues,
    );
    if (name === undefined) return undefined;
    const space = reader.object(props, 'addressSpace');
    const addressSpace =
      space === undefined
        ? []
        : reader.strings(space, 'addressPrefixes').map((p) => ({ value: p.value.trim(), from: p }));

    const linkItems: { at: At<JsonObject>; reader: Reader; envelope: readonly string[] }[] = [];
    for (const item of reader.array(props, 'vpnSiteLinks')) {
      const link = reader.asObject(item, 'a vpnSiteLinks entry');
      if (link !== undefined) linkItems.push({ at: link, reader, envelope: SUB_ENVELOPE });
    }
    if (resource !== undefined) {
      const inline = new Set(
        linkItems.map((item) => item.reader.string(item.at, 'name')?.value.toLowerCase()),
      );
      for (const child of resources.children(resource, 'vpnSiteLinks')) {
        const childName = lastName(child).toLowerCase();
        if (!inline.has(childName))
          linkItems.push({ at: child.at, reader: child.reader, envelope: ENVELOPE_KEYS });
      }
    }
    const links: IrLink[] = [];
    for (const item of linkItems) {
      const link = this.readLink(item.at, item.reader, item.envelope);
      if (link !== undefined) links.push(link);
    }
    const comments: string[] = [];
    if (linkItems.length === 0) {
      const legacy = this.legacyLink(props, reader, name);
      if (legacy === undefined) return undefined;
      links.push(legacy);
      comments.push(
        'a VPN site from before site links: its ipAddress and bgpProperties became one link named after the site',
      );
    }

    const device = reader.object(props, 'deviceProperties');
    const described: string[] = [];
    if (device !== undefined) {
      reader.checkFields(device, DEVICE_PROPERTIES_FIELDS, 'deviceProperties');
      const vendor = reader.string(device, 'deviceVendor');
      const model = reader.string(device, 'deviceModel');
      const speed = reader.number(device, 'linkSpeedInMbps');
      if (vendor !== undefined && vendor.value !== '') described.push(`vendor ${shown(vendor.value)}`);
      if (model !== undefined && model.value !== '') described.push(`model ${shown(model.value)}`);
      if (speed !== undefined && speed.value !== 0) described.push(`${speed.value} Mbps`);
    }
    const security = reader.boolean(props, 'isSecuritySite');
    if (security?.value === true) comments.push('Azure: isSecuritySite true (not modelled)');
    const deviceName = derivedName('', name.value, '-device');
    return {
      name,
      addressSpace,
      device: {
        name: deviceName,
        links,
        from: device ?? at,
        comments: [
          `Azure's vpnSite ${name.value} has one deviceProperties${described.length > 0 ? ` (${described.join(', ')})` : ''} and ${links.length} link${links.length === 1 ? '' : 's'}: imported as one device holding all of them.`,
          'If the links end on different boxes, split them: a second device is a second VPN site in the seed.',
          'Azure does not record bgpAddressOn, ecmp, connectionMode, bgpTimers or deadTunnelRoutes: vwan-ha defaults apply.',
        ],
      },
      from: at,
      comments,
    };
  }

  private readLink(at: At<JsonObject>, reader: Reader, envelope: readonly string[]): IrLink | undefined {
    const { props, flattened } = propertiesOf(reader, at);
    if (!flattened) reader.checkFields(at, [...envelope], 'a vpnSiteLinks entry');
    reader.checkFields(
      props,
      flattened ? [...SITE_LINK_FIELDS, ...envelope] : SITE_LINK_FIELDS,
      'a vpnSiteLink',
    );
    const nameAt = reader.requireString(at, 'name', 'every site link has a name');
    if (nameAt === undefined) return undefined;
    const name = cleanName(
      { ...nameAt, value: nameAt.value.split('/').pop() ?? nameAt.value },
      'site link',
      this.issues,
    );
    const link = this.linkBody(props, reader, name, at);
    return link;
  }

  private legacyLink(props: At<JsonObject>, reader: Reader, name: Sourced<string>): IrLink | undefined {
    if (!reader.has(props, 'ipAddress') && !reader.has(props, 'fqdn')) {
      this.issues.error(
        props,
        'the VPN site has neither vpnSiteLinks nor an ipAddress: no public IP to build tunnels from; add its vpnSiteLinks',
      );
      return undefined;
    }
    return this.linkBody(props, reader, name, props);
  }

  private linkBody(
    props: At<JsonObject>,
    reader: Reader,
    name: Sourced<string> | undefined,
    from: At<JsonObject>,
  ): IrLink | undefined {
    const ip = reader.string(props, 'ipAddress');
    const fqdn = reader.string(props, 'fqdn');
    const comments: string[] = [];
    if (ip === undefined || ip.value.trim() === '') {
      if (fqdn !== undefined) {
        this.issues.error(
          fqdn,
          'a link given by FQDN: the model needs the public IP; replace fqdn with ipAddress (the address it resolves to)',
        );
      } else {
        reader.missing(props, 'ipAddress', "the device's public IP on this link");
      }
      return undefined;
    }
    if (fqdn !== undefined && fqdn.value !== '')
      comments.push(`Azure: fqdn ${shown(fqdn.value)} (the ipAddress is used)`);
    if (name === undefined) return undefined;
    const link: IrLink = { name, ipAddress: { value: ip.value.trim(), from: ip }, from, comments };
    const provider = reader.object(props, 'linkProperties');
    if (provider !== undefined) {
      reader.checkFields(provider, LINK_PROVIDER_FIELDS, 'linkProperties');
      const providerName = reader.string(provider, 'linkProviderName');
      if (providerName !== undefined && providerName.value !== '')
        link.linkProviderName = { value: providerName.value, from: providerName };
      const speed = reader.number(provider, 'linkSpeedInMbps');
      if (speed !== undefined) link.linkSpeedInMbps = { value: speed.value, from: speed };
    }
    const bgp = reader.object(props, 'bgpProperties');
    if (bgp !== undefined) {
      reader.checkFields(bgp, [...LINK_BGP_FIELDS, 'peerWeight', 'bgpPeeringAddresses'], 'bgpProperties');
      const asn = reader.number(bgp, 'asn');
      const address = reader.string(bgp, 'bgpPeeringAddress');
      const empty =
        (asn === undefined || asn.value === 0) && (address === undefined || address.value.trim() === '');
      if (!empty) {
        if (asn === undefined) reader.missing(bgp, 'asn', "the device's BGP ASN");
        if (address === undefined) reader.missing(bgp, 'bgpPeeringAddress', "the device's BGP address");
        if (asn !== undefined && address !== undefined) {
          link.bgp = {
            asn: { value: asn.value, from: asn },
            bgpPeeringAddress: { value: address.value.trim(), from: address },
            from: bgp,
          };
        }
      }
    }
    return link;
  }

  private applySitePrefixes(ir: IrTopology): void {
    const bySite = connectionsBySite(ir);
    for (const [siteName, prefixes] of Object.entries(this.options.sitePrefixes ?? {})) {
      const site = ir.sites.find((candidate) => candidate.name.value === siteName);
      if (site === undefined) {
        this.issues.error(
          optionOrigin('--site-prefix'),
          `no imported VPN site is named ${quoted(siteName)} (sites: ${listed(ir.sites.map((s) => s.name.value))}): --site-prefix names one of those`,
        );
        continue;
      }
      const connection = bySite.get(site);
      const bgp = connection?.linkConnections.some((lc) => lc.enableBgp?.value === true) === true;
      if (bgp) {
        site.device.advertisedPrefixes = optionPrefixes('--site-prefix', prefixes);
      } else {
        site.addressSpace = optionPrefixes('--site-prefix', prefixes);
      }
    }
    for (const site of ir.sites) {
      const connection = bySite.get(site);
      const bgp = connection?.linkConnections.some((lc) => lc.enableBgp?.value === true) === true;
      if (bgp && site.addressSpace.length === 0 && site.device.advertisedPrefixes === undefined) {
        this.issues.warning(
          site.from,
          `BGP site ${site.name.value}: Azure does not record what the device announces over BGP; list it in the device's advertisedPrefixes, or pass --site-prefix ${site.name.value}=<cidr>[,<cidr>]`,
        );
        site.device.comments.push(
          'advertisedPrefixes: not recorded by Azure; list what this device announces over BGP',
        );
      }
    }
  }
}

/** Imports one or more ARM files (their resources are merged) into a topology. */
export function importArm(files: readonly ArmFile[], options: ImportOptions = {}): ImportResult {
  return new ArmImport(files, options).run();
}

export type { ArmFile };
