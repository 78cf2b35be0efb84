/**
 * Cross-checks a schema cannot express: names that must resolve or be unique,
 * addresses that must not collide, Azure limits that count across resources, and
 * warnings for designs Azure accepts but that behave badly when an instance goes
 * down. Runs on the schema's output (defaults filled, paths still those of the
 * input file). Platform-free.
 */

import {
  formatIpv4Prefix,
  type Ipv4Prefix,
  ipv4,
  ipv4Prefix,
  isApipa,
  prefixContains,
  prefixesOverlap,
} from '../net/ipv4.ts';
import { PrefixTrie } from '../net/lpm.ts';
import { AZURE, type InstanceId } from './azure-defaults.ts';
import { error, formatPath, type IssuePath, type TopologyIssue, warning } from './issues.ts';
import type { Topology, VpnLinkConnection, VpnSite, VpnSiteDevice, VpnSiteLink } from './schema.ts';
import { describeValue } from './schema-issues.ts';
import { didYouMean } from './suggest.ts';

interface LinkEntry {
  readonly site: VpnSite;
  readonly device: VpnSiteDevice;
  readonly link: VpnSiteLink;
  readonly path: IssuePath;
  readonly devicePath: IssuePath;
}

interface SiteEntry {
  readonly site: VpnSite;
  readonly index: number;
  readonly links: Map<string, LinkEntry>;
}

interface DeviceUsage {
  tunnels: number;
  bgp: boolean;
}

/** A prefix with where it came from, for overlap messages. */
interface PlacedPrefix {
  readonly prefix: Ipv4Prefix;
  readonly path: IssuePath;
  readonly owner: string;
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/**
 * Every cross-field error and warning, grouped by resource (loadTopology sorts them
 * by position). Expects the schema's output: every address and prefix already parses.
 */
export function crossCheck(topology: Topology): TopologyIssue[] {
  const issues: TopologyIssue[] = [];
  const hubPrefix = ipv4Prefix(topology.virtualHub.addressPrefix);
  const vnetPrefixes = checkHubAndVnets(topology, hubPrefix, issues);
  const instanceBgpIps = checkGateway(topology, hubPrefix, issues);
  const sites = checkSites(topology, hubPrefix, vnetPrefixes, instanceBgpIps, issues);
  const usage = checkConnections(topology, sites, issues);
  checkDevices(topology, usage, issues);
  return issues;
}

function checkUniqueNames(
  items: readonly { readonly name: string }[],
  basePath: IssuePath,
  what: string,
  issues: TopologyIssue[],
): void {
  const first = new Map<string, number>();
  items.forEach((item, index) => {
    const earlier = first.get(item.name);
    if (earlier === undefined) first.set(item.name, index);
    else {
      issues.push(
        error(
          [...basePath, index, 'name'],
          `${describeValue(item.name)} is already the name of ${formatPath([...basePath, earlier])}; ${what} names must be unique`,
        ),
      );
    }
  });
}

// ---------------------------------------------------------------- hub and vnets

function checkHubAndVnets(
  topology: Topology,
  hubPrefix: Ipv4Prefix,
  issues: TopologyIssue[],
): PlacedPrefix[] {
  checkUniqueNames(topology.vnets, ['vnets'], 'vnet', issues);
  const placed: PlacedPrefix[] = [];
  const index = new PrefixTrie<{ order: number; placed: PlacedPrefix }[]>();
  topology.vnets.forEach((vnet, v) => {
    vnet.addressPrefixes.forEach((text, p) => {
      const path: IssuePath = ['vnets', v, 'addressPrefixes', p];
      const prefix = ipv4Prefix(text);
      if (prefixesOverlap(prefix, hubPrefix)) {
        issues.push(
          error(
            path,
            `${text} overlaps the hub address space ${topology.virtualHub.addressPrefix}; a connected vnet needs address space of its own`,
          ),
        );
      }
      // The first earlier prefix it overlaps, found through a trie: files with thousands of vnets stay linear.
      let clash: PlacedPrefix | undefined;
      let clashIndex = Number.POSITIVE_INFINITY;
      index.forEachOverlapping(prefix.address, prefix.length, (entries) => {
        for (const entry of entries) {
          if (entry.order < clashIndex) {
            clashIndex = entry.order;
            clash = entry.placed;
          }
        }
      });
      if (clash !== undefined) {
        issues.push(
          error(
            path,
            `${text} overlaps ${formatIpv4Prefix(clash.prefix)} (${formatPath(clash.path)}, vnet ${clash.owner}); vnets connected to one hub need distinct address space`,
          ),
        );
      }
      const entry = { prefix, path, owner: vnet.name };
      const existing = index.get(prefix.address, prefix.length);
      if (existing) existing.push({ order: placed.length, placed: entry });
      else index.set(prefix.address, prefix.length, [{ order: placed.length, placed: entry }]);
      placed.push(entry);
    });
  });
  return placed;
}

// ---------------------------------------------------------------- VPN gateway

/** Returns every Azure-side BGP address (default and custom) with the instance that owns it. */
function checkGateway(
  topology: Topology,
  hubPrefix: Ipv4Prefix,
  issues: TopologyIssue[],
): Map<number, string> {
  const gateway = topology.vpnGateway;
  const seenIds = new Map<InstanceId, number>();
  const tunnelIps = new Map<string, number>();
  const bgpIps = new Map<number, string>();
  gateway.instances.forEach((instance, i) => {
    const path: IssuePath = ['vpnGateway', 'instances', i];
    const earlier = seenIds.get(instance.id);
    if (earlier !== undefined) {
      const other = instance.id === 'IN_0' ? 'IN_1' : 'IN_0';
      issues.push(
        error(
          [...path, 'id'],
          `${instance.id} is listed twice (also vpnGateway.instances[${earlier}]); the two instances are IN_0 and IN_1, so this one is ${other}`,
        ),
      );
    } else seenIds.set(instance.id, i);

    const tunnelEarlier = tunnelIps.get(instance.tunnelIpAddress);
    if (tunnelEarlier !== undefined) {
      issues.push(
        error(
          [...path, 'tunnelIpAddress'],
          `${instance.tunnelIpAddress} is also the tunnelIpAddress of vpnGateway.instances[${tunnelEarlier}]; each instance has its own public IP`,
        ),
      );
    } else tunnelIps.set(instance.tunnelIpAddress, i);

    const defaultBgp = ipv4(instance.defaultBgpIpAddress);
    if (!prefixContains(hubPrefix, defaultBgp)) {
      issues.push(
        error(
          [...path, 'defaultBgpIpAddress'],
          `${instance.defaultBgpIpAddress} is outside the hub address space ${topology.virtualHub.addressPrefix}; Azure assigns each instance's default BGP address from it (e.g. ${AZURE.instances.exampleDefaultBgpIps[instance.id]} in 10.0.0.0/24)`,
        ),
      );
    }
    const addBgpIp = (address: number, text: string, fieldPath: IssuePath) => {
      const owner = bgpIps.get(address);
      if (owner !== undefined) {
        issues.push(
          error(
            fieldPath,
            `${text} is already a BGP address of ${owner}; each Azure BGP address is used once`,
          ),
        );
      } else bgpIps.set(address, `${instance.id} (${formatPath(fieldPath)})`);
    };
    addBgpIp(defaultBgp, instance.defaultBgpIpAddress, [...path, 'defaultBgpIpAddress']);
    instance.customBgpIpAddresses.forEach((text, c) => {
      addBgpIp(ipv4(text), text, [...path, 'customBgpIpAddresses', c]);
    });
  });
  return bgpIps;
}

// ---------------------------------------------------------------- VPN sites

function checkSites(
  topology: Topology,
  hubPrefix: Ipv4Prefix,
  vnetPrefixes: readonly PlacedPrefix[],
  instanceBgpIps: ReadonlyMap<number, string>,
  issues: TopologyIssue[],
): Map<string, SiteEntry> {
  if (topology.vpnSites.length === 0) {
    issues.push(
      warning(
        ['vpnSites'],
        'no VPN sites: the hub has nothing to connect to, so there is nothing to simulate',
      ),
    );
  }
  checkUniqueNames(topology.vpnSites, ['vpnSites'], 'VPN site', issues);
  const deviceNames = new Map<string, string>();
  const publicIpOwner = new Map<string, { device: string; path: IssuePath }>();
  const bgpAddressOwner = new Map<number, IssuePath>();
  const instanceTunnelIps = new Set(
    topology.vpnGateway.instances.map((instance) => instance.tunnelIpAddress),
  );
  const sitesByName = new Map<string, SiteEntry>();

  topology.vpnSites.forEach((site, s) => {
    const sitePath: IssuePath = ['vpnSites', s];
    const siteLinks = new Map<string, LinkEntry>();
    if (!sitesByName.has(site.name)) sitesByName.set(site.name, { site, index: s, links: siteLinks });

    site.addressSpace.forEach((text, p) => {
      const prefix = ipv4Prefix(text);
      const path: IssuePath = [...sitePath, 'addressSpace', p];
      if (prefixesOverlap(prefix, hubPrefix)) {
        issues.push(
          warning(
            path,
            `${text} overlaps the hub address space ${topology.virtualHub.addressPrefix}; traffic to it may never leave the hub`,
          ),
        );
      }
      const vnet = vnetPrefixes.find((placed) => prefixesOverlap(placed.prefix, prefix));
      if (vnet !== undefined) {
        issues.push(
          warning(
            path,
            `${text} overlaps vnet ${vnet.owner} (${formatIpv4Prefix(vnet.prefix)}); the longest prefix wins, so part of one side is unreachable from the other`,
          ),
        );
      }
    });

    let linkCount = 0;
    site.devices.forEach((device, d) => {
      const devicePath: IssuePath = [...sitePath, 'devices', d];
      const earlierDevice = deviceNames.get(device.name);
      if (earlierDevice !== undefined) {
        issues.push(
          error(
            [...devicePath, 'name'],
            `${describeValue(device.name)} is already the name of ${earlierDevice}; device names must be unique in the file`,
          ),
        );
      } else deviceNames.set(device.name, formatPath(devicePath));

      const asns = new Set<number>();
      device.vpnSiteLinks.forEach((link, l) => {
        linkCount++;
        const path: IssuePath = [...devicePath, 'vpnSiteLinks', l];
        const earlier = siteLinks.get(link.name);
        if (earlier !== undefined) {
          issues.push(
            error(
              [...path, 'name'],
              `${describeValue(link.name)} is already the name of ${formatPath(earlier.path)}; link names must be unique within a VPN site`,
            ),
          );
        } else siteLinks.set(link.name, { site, device, link, path, devicePath });

        const owner = publicIpOwner.get(link.ipAddress);
        if (owner !== undefined && owner.device !== device.name) {
          issues.push(
            error(
              [...path, 'ipAddress'],
              `${link.ipAddress} is already the public IP of device ${owner.device} (${formatPath(owner.path)}); Azure tells VPN devices apart by their public IP`,
            ),
          );
        } else if (owner === undefined) publicIpOwner.set(link.ipAddress, { device: device.name, path });
        if (instanceTunnelIps.has(link.ipAddress)) {
          issues.push(
            error(
              [...path, 'ipAddress'],
              `${link.ipAddress} is a VPN gateway instance's public IP; use the device's own public IP`,
            ),
          );
        }

        if (link.bgpProperties !== undefined) {
          asns.add(link.bgpProperties.asn);
          checkDeviceBgpAddress(link, [...path, 'bgpProperties', 'bgpPeeringAddress'], {
            topology,
            hubPrefix,
            vnetPrefixes,
            instanceBgpIps,
            bgpAddressOwner,
            issues,
          });
        }
      });
      if (asns.size > 1) {
        issues.push(
          warning(
            devicePath,
            `the device's links use different ASNs (${[...asns].join(', ')}); one device is normally one BGP speaker with one ASN`,
          ),
        );
      }
    });

    if (linkCount > AZURE.scale.maxLinksPerSite) {
      issues.push(
        error(
          sitePath,
          `has ${linkCount} links; Azure allows at most ${AZURE.scale.maxLinksPerSite} links per VPN site (${AZURE.scale.maxLinksPerSite * 2} tunnels)`,
        ),
      );
    }
  });
  return sitesByName;
}

interface BgpAddressContext {
  readonly topology: Topology;
  readonly hubPrefix: Ipv4Prefix;
  readonly vnetPrefixes: readonly PlacedPrefix[];
  readonly instanceBgpIps: ReadonlyMap<number, string>;
  readonly bgpAddressOwner: Map<number, IssuePath>;
  readonly issues: TopologyIssue[];
}

function checkDeviceBgpAddress(link: VpnSiteLink, path: IssuePath, context: BgpAddressContext): void {
  const { issues } = context;
  const text = link.bgpProperties?.bgpPeeringAddress ?? '';
  const address = ipv4(text);
  if (text === link.ipAddress) {
    issues.push(
      error(
        path,
        `${text} is also the link's public ipAddress; the BGP peering address must be a separate (loopback or tunnel) address such as 192.168.255.1`,
      ),
    );
  }
  const instance = context.instanceBgpIps.get(address);
  if (instance !== undefined) {
    issues.push(
      error(path, `${text} is Azure's BGP address on ${instance}; the device needs an address of its own`),
    );
  }
  if (prefixContains(context.hubPrefix, address)) {
    issues.push(
      error(
        path,
        `${text} is inside the hub address space ${context.topology.virtualHub.addressPrefix}; pick a device address outside it (a loopback such as 192.168.255.1, or APIPA 169.254.21.x)`,
      ),
    );
  }
  const vnet = context.vnetPrefixes.find((placed) => prefixContains(placed.prefix, address));
  if (vnet !== undefined) {
    issues.push(
      error(
        path,
        `${text} is inside vnet ${vnet.owner} (${formatIpv4Prefix(vnet.prefix)}); Azure would route it to the vnet, not to the device`,
      ),
    );
  }
  const earlier = context.bgpAddressOwner.get(address);
  if (earlier !== undefined) {
    issues.push(
      error(
        path,
        `${text} is already the BGP peering address of ${formatPath(earlier.slice(0, -2))}; every site link needs its own (Azure installs a host route to it over that link's tunnels)`,
      ),
    );
  } else context.bgpAddressOwner.set(address, path);
}

// ---------------------------------------------------------------- VPN connections

function checkConnections(
  topology: Topology,
  sitesByName: ReadonlyMap<string, SiteEntry>,
  issues: TopologyIssue[],
): Map<VpnSiteDevice, DeviceUsage> {
  checkUniqueNames(topology.vpnConnections, ['vpnConnections'], 'VPN connection', issues);
  const siteNames = topology.vpnSites.map((site) => site.name);
  const siteConnection = new Map<string, number>();
  const linkUse = new Map<VpnSiteLink, IssuePath>();
  const tunnelUse = new Map<string, IssuePath>();
  const usage = new Map<VpnSiteDevice, DeviceUsage>();
  let tunnels = 0;

  topology.vpnConnections.forEach((connection, c) => {
    const path: IssuePath = ['vpnConnections', c];
    // Links of a site already connected elsewhere are not checked again (one error, not a cascade).
    let siteLinks = sitesByName.get(connection.remoteVpnSite)?.links;
    if (siteLinks === undefined) {
      issues.push(
        error(
          [...path, 'remoteVpnSite'],
          `no VPN site is named ${describeValue(connection.remoteVpnSite)}${didYouMean(connection.remoteVpnSite, siteNames, 'sites are')}`,
        ),
      );
    } else {
      const earlier = siteConnection.get(connection.remoteVpnSite);
      if (earlier !== undefined) {
        issues.push(
          error(
            [...path, 'remoteVpnSite'],
            `VPN site ${connection.remoteVpnSite} already has a connection (vpnConnections[${earlier}]); a site has one connection to the hub, with one link connection per link`,
          ),
        );
        siteLinks = undefined;
      } else siteConnection.set(connection.remoteVpnSite, c);
    }
    checkUniqueNames(
      connection.vpnLinkConnections,
      [...path, 'vpnLinkConnections'],
      'link connection',
      issues,
    );

    connection.vpnLinkConnections.forEach((linkConnection, k) => {
      const lcPath: IssuePath = [...path, 'vpnLinkConnections', k];
      tunnels += linkConnection.instances.length;
      checkInstancesList(linkConnection, lcPath, issues);
      checkLinkConnectionSettings(linkConnection, lcPath, issues);
      if (siteLinks === undefined) return;
      const entry = siteLinks.get(linkConnection.vpnSiteLink);
      if (entry === undefined) {
        issues.push(
          error(
            [...lcPath, 'vpnSiteLink'],
            `VPN site ${connection.remoteVpnSite} has no link named ${describeValue(linkConnection.vpnSiteLink)}${didYouMean(linkConnection.vpnSiteLink, [...siteLinks.keys()], 'its links are')}`,
          ),
        );
        return;
      }
      const usedBy = linkUse.get(entry.link);
      if (usedBy !== undefined) {
        issues.push(
          error(
            [...lcPath, 'vpnSiteLink'],
            `site link ${entry.link.name} is already used by ${formatPath(usedBy)}; each site link has at most one link connection`,
          ),
        );
        return;
      }
      linkUse.set(entry.link, lcPath);
      for (const instance of new Set(linkConnection.instances)) {
        // Per device: two devices sharing a public IP are already an error of their own.
        const key = `${formatPath(entry.devicePath)} ${entry.link.ipAddress}>${instance}`;
        const other = tunnelUse.get(key);
        if (other !== undefined) {
          issues.push(
            error(
              [...lcPath, 'instances'],
              `a second tunnel from ${entry.link.ipAddress} to ${instance} (the first is ${formatPath(other)}); two tunnels between the same pair of public IPs cannot be told apart — send this one to the other instance`,
            ),
          );
        } else tunnelUse.set(key, lcPath);
      }
      const deviceUsage = usage.get(entry.device) ?? { tunnels: 0, bgp: false };
      deviceUsage.tunnels += linkConnection.instances.length;
      if (linkConnection.enableBgp) deviceUsage.bgp = true;
      usage.set(entry.device, deviceUsage);
      checkLinkConnectionAgainstLink(topology, linkConnection, lcPath, entry, issues);
    });
  });

  if (tunnels > AZURE.scale.maxTunnelsPerGateway) {
    issues.push(
      error(
        ['vpnConnections'],
        `${tunnels} tunnels in all; a Virtual WAN VPN gateway supports at most ${AZURE.scale.maxTunnelsPerGateway}`,
      ),
    );
  }
  checkUnusedLinks(sitesByName, linkUse, siteConnection, issues);
  return usage;
}

function checkInstancesList(
  linkConnection: VpnLinkConnection,
  path: IssuePath,
  issues: TopologyIssue[],
): void {
  const seen = new Set<InstanceId>();
  linkConnection.instances.forEach((instance, i) => {
    if (seen.has(instance)) {
      issues.push(
        error(
          [...path, 'instances', i],
          `${instance} is listed twice; list each instance once: [IN_0, IN_1] for two tunnels, or one of them for a single tunnel`,
        ),
      );
    }
    seen.add(instance);
  });
}

function checkLinkConnectionSettings(
  linkConnection: VpnLinkConnection,
  path: IssuePath,
  issues: TopologyIssue[],
): void {
  const dpd = AZURE.ipsec.dpdTimeoutSeconds;
  if (linkConnection.dpdTimeoutSeconds === dpd.unsetInExports) {
    issues.push(
      warning(
        [...path, 'dpdTimeoutSeconds'],
        `0 means unset (as in Azure exports); using Azure's default ${dpd.default} s`,
      ),
    );
  }
  if (linkConnection.ipsec.ikeSaLifeTimeSeconds !== AZURE.ipsec.ikeSaLifeTimeSeconds) {
    issues.push(
      warning(
        [...path, 'ipsec', 'ikeSaLifeTimeSeconds'],
        `Azure's IKE SA lifetime is ${AZURE.ipsec.ikeSaLifeTimeSeconds} s and cannot be configured; ${linkConnection.ipsec.ikeSaLifeTimeSeconds} s is a what-if`,
      ),
    );
  }
}

function checkLinkConnectionAgainstLink(
  topology: Topology,
  linkConnection: VpnLinkConnection,
  path: IssuePath,
  entry: LinkEntry,
  issues: TopologyIssue[],
): void {
  const { site, device, link } = entry;
  const single = linkConnection.instances.length === 1 ? linkConnection.instances[0] : undefined;

  if (device.connectionMode === 'ResponderOnly' && linkConnection.vpnLinkConnectionMode === 'ResponderOnly') {
    issues.push(
      warning(
        [...path, 'vpnLinkConnectionMode'],
        `device ${device.name} is ResponderOnly and this link connection is ResponderOnly: neither side starts IKE, so these tunnels never come up; set one side to Default`,
      ),
    );
  } else if (
    device.connectionMode === 'InitiatorOnly' &&
    linkConnection.vpnLinkConnectionMode === 'InitiatorOnly'
  ) {
    issues.push(
      warning(
        [...path, 'vpnLinkConnectionMode'],
        `device ${device.name} is InitiatorOnly and this link connection is InitiatorOnly: each side refuses the other's IKE_SA_INIT, so these tunnels never come up; set one side to Default`,
      ),
    );
  }

  if (linkConnection.enableBgp) {
    if (link.bgpProperties === undefined) {
      issues.push(
        error(
          [...path, 'enableBgp'],
          `BGP is on but site link ${link.name} (${formatPath(entry.path)}) has no bgpProperties; add bgpProperties: { asn, bgpPeeringAddress } to the link, or set enableBgp: false`,
        ),
      );
    } else {
      checkApipaPeering(topology, linkConnection, path, link.bgpProperties.bgpPeeringAddress, issues);
    }
    if (linkConnection.staticRoutes.length > 0) {
      issues.push(
        warning(
          [...path, 'staticRoutes'],
          'ignored while enableBgp is true; the device announces its prefixes over BGP',
        ),
      );
    }
    if (site.addressSpace.length > 0) {
      issues.push(
        warning(
          [...path, 'enableBgp'],
          `VPN site ${site.name} also has an addressSpace, which Azure routes to the site statically even with BGP on, and static routes win over BGP in the hub; for a BGP design leave addressSpace empty and list the prefixes in the device's advertisedPrefixes`,
        ),
      );
    }
    if (single !== undefined) {
      issues.push(
        warning(
          [...path, 'instances'],
          `BGP over a single tunnel to ${single}: the session drops whenever ${single} is serviced; the seed's BGP design uses two tunnels, one to each instance`,
        ),
      );
    }
  } else {
    if (site.addressSpace.length === 0 && linkConnection.staticRoutes.length === 0) {
      issues.push(
        error(
          path,
          `static link connection (enableBgp is false) with nothing to route: give VPN site ${site.name} an addressSpace (Azure propagates it as the static route), or list staticRoutes here`,
        ),
      );
    }
    if (linkConnection.vpnGatewayCustomBgpAddresses.length > 0) {
      issues.push(warning([...path, 'vpnGatewayCustomBgpAddresses'], 'ignored while enableBgp is false'));
    }
    if (single !== undefined) {
      const other = single === 'IN_0' ? 'IN_1' : 'IN_0';
      issues.push(
        warning(
          [...path, 'instances'],
          `single tunnel to ${single}: when ${single} is serviced its public IP and this tunnel move to ${other} and later move back, so each maintenance of ${single} resets all sessions over this tunnel twice, on failover and on failback (seed: "Single Tunnel Configuration")`,
        ),
      );
    }
  }
}

function checkApipaPeering(
  topology: Topology,
  linkConnection: VpnLinkConnection,
  path: IssuePath,
  deviceBgpAddress: string,
  issues: TopologyIssue[],
): void {
  const customPath: IssuePath = [...path, 'vpnGatewayCustomBgpAddresses'];
  const seen = new Set<InstanceId>();
  linkConnection.vpnGatewayCustomBgpAddresses.forEach((custom, c) => {
    const entryPath: IssuePath = [...customPath, c];
    const instance = topology.vpnGateway.instances.find(
      (candidate) => candidate.id === custom.ipConfigurationId,
    );
    if (seen.has(custom.ipConfigurationId)) {
      issues.push(
        error(
          [...entryPath, 'ipConfigurationId'],
          `${custom.ipConfigurationId} already has a custom BGP address on this link connection`,
        ),
      );
    }
    seen.add(custom.ipConfigurationId);
    if (!linkConnection.instances.includes(custom.ipConfigurationId)) {
      issues.push(
        error(
          [...entryPath, 'ipConfigurationId'],
          `${custom.ipConfigurationId} has no tunnel on this link connection (instances: [${linkConnection.instances.join(', ')}])`,
        ),
      );
    }
    if (instance !== undefined && !instance.customBgpIpAddresses.includes(custom.customBgpIpAddress)) {
      const index = topology.vpnGateway.instances.indexOf(instance);
      const configured =
        instance.customBgpIpAddresses.length === 0
          ? `${instance.id} has none`
          : `${instance.id} has ${instance.customBgpIpAddresses.join(', ')}`;
      issues.push(
        error(
          [...entryPath, 'customBgpIpAddress'],
          `${custom.customBgpIpAddress} is not one of ${instance.id}'s customBgpIpAddresses (${configured}); add it to vpnGateway.instances[${index}].customBgpIpAddresses`,
        ),
      );
    }
  });

  if (!isApipa(ipv4(deviceBgpAddress))) return;
  for (const id of linkConnection.instances) {
    if (!seen.has(id)) {
      issues.push(
        error(
          customPath,
          `the device's BGP address ${deviceBgpAddress} is APIPA, so Azure must peer from a custom APIPA address on ${id}: add { ipConfigurationId: ${id}, customBgpIpAddress: <one of ${id}'s customBgpIpAddresses> }`,
        ),
      );
    }
  }
  const responderOnly =
    linkConnection.vpnLinkConnectionMode === 'ResponderOnly'
      ? '; with vpnLinkConnectionMode ResponderOnly Azure also waits for the device to start IKE, so every recovery after a failover waits on the device alone'
      : '';
  issues.push(
    warning(
      [...path, 'enableBgp'],
      `the device's BGP address ${deviceBgpAddress} is APIPA: Azure does not open BGP towards APIPA peers, so the device must open the session (configure it active, not passive)${responderOnly}`,
    ),
  );
}

function checkUnusedLinks(
  sitesByName: ReadonlyMap<string, SiteEntry>,
  linkUse: ReadonlyMap<VpnSiteLink, IssuePath>,
  siteConnection: ReadonlyMap<string, number>,
  issues: TopologyIssue[],
): void {
  for (const { site, index, links } of sitesByName.values()) {
    if (!siteConnection.has(site.name)) {
      issues.push(
        warning(['vpnSites', index], `VPN site ${site.name} has no VPN connection; it builds no tunnels`),
      );
      continue;
    }
    for (const entry of links.values()) {
      if (!linkUse.has(entry.link)) {
        issues.push(
          warning(entry.path, `site link ${entry.link.name} has no link connection; it builds no tunnels`),
        );
      }
    }
  }
}

// ---------------------------------------------------------------- devices

function checkDevices(
  topology: Topology,
  usage: ReadonlyMap<VpnSiteDevice, DeviceUsage>,
  issues: TopologyIssue[],
): void {
  topology.vpnSites.forEach((site, s) => {
    site.devices.forEach((device, d) => {
      const path: IssuePath = ['vpnSites', s, 'devices', d];
      const used = usage.get(device);
      if (used === undefined) return;
      if (!device.ecmp && used.tunnels >= 2) {
        issues.push(
          warning(
            [...path, 'ecmp'],
            `ecmp is off: the device sends all traffic over one of its ${used.tunnels} tunnels, so losing that tunnel's instance interrupts everything until the device moves to the other one`,
          ),
        );
      }
      if (!used.bgp) return;
      if (device.bgpAddressOn === 'tunnel') {
        issues.push(
          warning(
            [...path, 'bgpAddressOn'],
            'BGP runs on a tunnel interface: the BGP address goes down with its tunnel; the seed recommends a loopback, always up and decoupled from the IPsec tunnels',
          ),
        );
      }
      checkTimers(device, [...path, 'bgpTimers'], issues);
      if (device.advertisedPrefixes.length > AZURE.bgp.maxPrefixesPerSession) {
        issues.push(
          warning(
            [...path, 'advertisedPrefixes'],
            `${device.advertisedPrefixes.length} prefixes: Azure drops a BGP session that announces more than ${AZURE.bgp.maxPrefixesPerSession}, so this session will not stay up; summarise`,
          ),
        );
      } else if (device.advertisedPrefixes.length === 0) {
        issues.push(
          warning(
            [...path, 'advertisedPrefixes'],
            `the device announces nothing over BGP; list its prefixes in advertisedPrefixes (default: the site's addressSpace)`,
          ),
        );
      }
    });
  });
}

function checkTimers(device: VpnSiteDevice, path: IssuePath, issues: TopologyIssue[]): void {
  const { keepaliveSeconds, holdSeconds } = device.bgpTimers;
  const azureKeepalive = AZURE.bgp.keepaliveSeconds;
  const azureHold = AZURE.bgp.holdSeconds;
  if (holdSeconds === 0) {
    issues.push(
      warning(
        [...path, 'holdSeconds'],
        `0 turns the device's hold timer off: it never declares a BGP session dead by itself and relies on DPD alone (Azure keeps its own ${azureHold} s hold time)`,
      ),
    );
  } else if (holdSeconds < azureKeepalive) {
    issues.push(
      warning(
        [...path, 'holdSeconds'],
        `${holdSeconds} s is below Azure's ${azureKeepalive} s keepalive interval: the device's hold timer expires between Azure's keepalives and the session flaps about every ${holdSeconds} s (Azure does not negotiate its timers down); use ${azureHold}`,
      ),
    );
  } else if (holdSeconds < azureHold) {
    const lost = Math.max(0, Math.ceil(holdSeconds / azureKeepalive) - 2) + 1;
    issues.push(
      warning(
        [...path, 'holdSeconds'],
        `${holdSeconds} s is below Azure's ${azureHold} s: the session runs with the lower hold time, ${holdSeconds} s, while Azure still sends keepalives only every ${azureKeepalive} s, so ${plural(lost, 'lost keepalive', 'lost keepalives in a row')} drop${lost === 1 ? 's' : ''} it`,
      ),
    );
  }
  if (holdSeconds > 0 && keepaliveSeconds === 0) {
    issues.push(
      warning(
        [...path, 'keepaliveSeconds'],
        `0 sends no keepalives: Azure's ${azureHold} s hold timer expires and the session flaps; use ${azureKeepalive}`,
      ),
    );
  } else if (keepaliveSeconds >= azureHold) {
    issues.push(
      warning(
        [...path, 'keepaliveSeconds'],
        `${keepaliveSeconds} s is not below Azure's ${azureHold} s hold time: Azure's hold timer expires before the device's next keepalive and the session flaps; use ${azureKeepalive}`,
      ),
    );
  }
}
