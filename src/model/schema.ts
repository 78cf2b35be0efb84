/**
 * The topology file's schema, in Azure's resource vocabulary (virtualHub,
 * vpnGateway, vpnSites, vpnSiteLinks, vpnConnections, vpnLinkConnections …), with
 * every default filled so a parsed Topology is complete. Checks that look at one
 * field live here; checks across fields live in validate.ts. Types are derived
 * from the schema (z.infer), never written twice. Platform-free.
 */
import { z } from 'zod';
import { inIpv4Range, ipv4, parseIpv4, parseIpv4Prefix } from '../net/ipv4.ts';
import { AZURE, INSTANCE_IDS, normaliseInstanceId, reservedAsnRange } from './azure-defaults.ts';
import { describeValue } from './schema-issues.ts';

/** Defaults that are vwan-ha's own (not Azure's): documented in docs/MODEL.md. */
export const VWAN_HA_DEFAULTS = {
  /** One-way latency of a site link's internet path to the hub. */
  latencyMs: 20,
} as const;

const APIPA_FIRST = ipv4(AZURE.bgp.customApipaRange.first);
const APIPA_LAST = ipv4(AZURE.bgp.customApipaRange.last);

/** A whole number in [min, max], with one message for every way of missing it. */
function wholeNumber(min: number, max: number, unit = '') {
  const suffix = unit === '' ? '' : ` ${unit}`;
  return z.number().superRefine((value, ctx) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a whole number from ${min} to ${max}${suffix}, got ${String(value)}`,
      });
    }
  });
}

/**
 * Azure's naming rule for these network resources (vpnSites, vpnConnections, hubs,
 * gateways…; Microsoft.Network naming rules): alphanumerics, `_`, `.` and `-`, starting
 * with an alphanumeric and ending with an alphanumeric or `_`. Besides fidelity, names
 * reach exported device configs and scripts (comments, BGP descriptions), where a
 * newline or quote would be a line nobody wrote.
 */
const AZURE_RESOURCE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;

const resourceName = z
  .string()
  .min(1, 'must not be empty')
  .max(80, 'is longer than 80 characters (Azure resource names are 1–80 characters)')
  .superRefine((name, ctx) => {
    if (name.trim() !== name) {
      ctx.addIssue({
        code: 'custom',
        message: `${describeValue(name)} has leading or trailing spaces; write ${describeValue(name.trim())}`,
      });
    } else if (name.length <= 80 && !AZURE_RESOURCE_NAME.test(name)) {
      ctx.addIssue({
        code: 'custom',
        message: `${describeValue(name)} is not a name Azure accepts: use letters, digits, "_", "." and "-", starting with a letter or digit and ending with a letter, digit or "_"`,
      });
    }
  });

/** A reference to a named resource elsewhere in the file; validate.ts resolves it. */
const reference = z.string().min(1, 'must name a resource');

const ipv4Address = z.string().superRefine((text, ctx) => {
  const parsed = parseIpv4(text);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
});

const cidrPrefix = z.string().superRefine((text, ctx) => {
  const parsed = parseIpv4Prefix(text);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
});

/** An Azure-side custom BGP address: APIPA, inside Azure's 169.254.21.0–169.254.22.255. */
const customApipaAddress = z.string().superRefine((text, ctx) => {
  const parsed = parseIpv4(text);
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: parsed.error });
  } else if (!inIpv4Range(parsed.value, APIPA_FIRST, APIPA_LAST)) {
    const { first, last } = AZURE.bgp.customApipaRange;
    ctx.addIssue({
      code: 'custom',
      message: `${text} is outside Azure's custom BGP (APIPA) range; use an address from ${first} to ${last}`,
    });
  }
});

const siteAsn = z.number().superRefine((asn, ctx) => {
  if (!Number.isInteger(asn) || asn < AZURE.bgp.asnMin || asn > AZURE.bgp.asnMax) {
    ctx.addIssue({
      code: 'custom',
      message: `${String(asn)} is not an ASN; use a whole number from 1 to 4294967294, such as the private ASN ${AZURE.bgp.suggestedPrivateAsn}`,
    });
    return;
  }
  const reserved = reservedAsnRange(asn);
  if (reserved !== undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `${asn} is reserved by ${reserved.reservedBy} (${reserved.why}); use a private ASN such as ${AZURE.bgp.suggestedPrivateAsn}`,
    });
  }
});

/** IN_0 / IN_1; Azure's Instance0 / Instance1 are accepted and normalised. */
export const InstanceIdSchema = z.preprocess(
  (value) => (typeof value === 'string' ? (normaliseInstanceId(value) ?? value) : value),
  z.enum(INSTANCE_IDS, {
    error: (issue) =>
      `${typeof issue.input === 'string' ? describeValue(issue.input) : 'this'} is not a gateway instance; use IN_0 or IN_1 (Azure's Instance0 / Instance1 are accepted too)`,
  }),
);

const linkConnectionMode = z.enum(AZURE.ipsec.linkConnectionModes);

// ---------------------------------------------------------------- virtual hub and vnets

const VirtualHubSchema = z.strictObject({
  name: resourceName,
  addressPrefix: cidrPrefix.superRefine((text, ctx) => {
    const parsed = parseIpv4Prefix(text);
    if (parsed.ok && parsed.value.length > AZURE.hub.maxAddressPrefixLength) {
      ctx.addIssue({
        code: 'custom',
        message: `${text} is too small for a virtual hub; Azure needs /${AZURE.hub.maxAddressPrefixLength} or larger (e.g. 10.0.0.0/24)`,
      });
    }
  }),
  /** Tie-break between routes to the same prefix from different gateway types. */
  hubRoutingPreference: z.enum(AZURE.hub.routingPreferences).default(AZURE.hub.defaultRoutingPreference),
});

const VnetSchema = z.strictObject({
  name: resourceName,
  addressPrefixes: z.array(cidrPrefix).min(1, 'needs at least one prefix, e.g. [10.1.0.0/16]'),
});

// ---------------------------------------------------------------- VPN gateway

const GatewayInstanceSchema = z.strictObject({
  id: InstanceIdSchema,
  /** The instance's public IP: where device tunnels terminate (ARM tunnelIpAddresses[0]). */
  tunnelIpAddress: ipv4Address,
  /** The instance's BGP address from the hub address space (ARM defaultBgpIpAddresses[0]). */
  defaultBgpIpAddress: ipv4Address,
  /** APIPA addresses the instance can peer from instead (ARM customBgpIpAddresses). */
  customBgpIpAddresses: z.array(customApipaAddress).default(() => []),
});

const VpnGatewaySchema = z.strictObject({
  name: resourceName,
  vpnGatewayScaleUnit: wholeNumber(1, AZURE.scale.maxScaleUnits, 'scale units').default(1),
  bgpSettings: z
    .strictObject({
      asn: z
        .literal(AZURE.bgp.asn, {
          error: (issue) =>
            `${describeValue(issue.input)} cannot be used: a Virtual WAN hub's VPN gateway always uses ASN ${AZURE.bgp.asn} (not editable); remove bgpSettings.asn or write ${AZURE.bgp.asn}`,
        })
        .default(AZURE.bgp.asn),
    })
    .prefault({}),
  instances: z
    .array(GatewayInstanceSchema)
    .length(AZURE.instances.count, 'a Virtual WAN VPN gateway has exactly two instances, IN_0 and IN_1'),
});

// ---------------------------------------------------------------- VPN sites

const BgpTimersSchema = z
  .strictObject({
    keepaliveSeconds: wholeNumber(0, 65535, 'seconds').default(AZURE.bgp.keepaliveSeconds),
    holdSeconds: wholeNumber(0, 65535, 'seconds').default(AZURE.bgp.holdSeconds),
  })
  .superRefine((timers, ctx) => {
    if (timers.holdSeconds > 0 && timers.holdSeconds < AZURE.bgp.minNonZeroHoldSeconds) {
      ctx.addIssue({
        code: 'custom',
        path: ['holdSeconds'],
        message: `${timers.holdSeconds} is not a BGP hold time; RFC 4271 allows 0 (no hold timer) or 3 seconds and more (Azure uses ${AZURE.bgp.holdSeconds})`,
      });
    } else if (timers.holdSeconds > 0 && timers.keepaliveSeconds >= timers.holdSeconds) {
      ctx.addIssue({
        code: 'custom',
        path: ['keepaliveSeconds'],
        message: `keepalive ${timers.keepaliveSeconds} s is not below the hold time ${timers.holdSeconds} s; use about a third of it (Azure: ${AZURE.bgp.keepaliveSeconds} / ${AZURE.bgp.holdSeconds})`,
      });
    }
  });

const VpnSiteLinkSchema = z.strictObject({
  name: resourceName,
  /** The device's public IP on this link (Azure also allows an fqdn; vwan-ha needs the address). */
  ipAddress: ipv4Address,
  linkProperties: z
    .strictObject({
      linkProviderName: z.string().max(80).optional(),
      /** Informational in Azure; absent or 0 means not stated. */
      linkSpeedInMbps: wholeNumber(0, 1_000_000, 'Mbps').optional(),
    })
    .prefault({}),
  /** Needed when a link connection enables BGP on this link. */
  bgpProperties: z
    .strictObject({
      asn: siteAsn,
      bgpPeeringAddress: ipv4Address,
    })
    .optional(),
  /** vwan-ha extension: one-way latency of this link's internet path to the hub. */
  latencyMs: wholeNumber(0, 10_000, 'ms').default(VWAN_HA_DEFAULTS.latencyMs),
});

const VpnSiteDeviceSchema = z.strictObject({
  name: resourceName,
  /** Where the device's BGP address lives; the seed recommends a loopback, always up. */
  bgpAddressOn: z.enum(['loopback', 'tunnel']).default('loopback'),
  /** Whether the device load-shares across its tunnels. */
  ecmp: z.boolean().default(true),
  /** The device's own IKE role (Default = both initiates and responds). */
  connectionMode: linkConnectionMode.default('Default'),
  /** What the device is configured with; Azure's are fixed at 60 / 180 s. */
  bgpTimers: BgpTimersSchema.prefault({}),
  /** When routes over a tunnel go away on the device: on DPD (VTI-like) or on BGP hold expiry. */
  deadTunnelRoutes: z.enum(['withdrawOnDpd', 'keepUntilBgpHold']).default('withdrawOnDpd'),
  /** vwan-ha extension: what the device announces over BGP; default: its site's addressSpace. */
  advertisedPrefixes: z.array(cidrPrefix).optional(),
  vpnSiteLinks: z
    .array(VpnSiteLinkSchema)
    .min(1, 'needs at least one link (a public IP the device builds tunnels from)'),
});

const VpnSiteSchema = z
  .strictObject({
    name: resourceName,
    /** Static prefixes behind the site: required when any of its link connections is static. */
    addressSpace: z.array(cidrPrefix).default(() => []),
    devices: z.array(VpnSiteDeviceSchema).min(1, 'needs at least one device'),
  })
  .transform((site) => ({
    ...site,
    devices: site.devices.map((device) => ({
      ...device,
      advertisedPrefixes: device.advertisedPrefixes ?? [...site.addressSpace],
    })),
  }));

// ---------------------------------------------------------------- VPN connections

const dpdTimeoutSeconds = z.number().superRefine((value, ctx) => {
  const { min, max, unsetInExports } = AZURE.ipsec.dpdTimeoutSeconds;
  if (value === unsetInExports) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    ctx.addIssue({
      code: 'custom',
      message: `${String(value)} is outside Azure's DPD timeout range; use ${min} to ${max} seconds (default ${AZURE.ipsec.dpdTimeoutSeconds.default})`,
    });
  }
});

const IpsecSchema = z.strictObject({
  saLifeTimeSeconds: wholeNumber(
    AZURE.ipsec.saLifeTimeSecondsRange.min,
    AZURE.ipsec.saLifeTimeSecondsRange.max,
    'seconds',
  ).default(AZURE.ipsec.saLifeTimeSeconds),
  saDataSizeKilobytes: wholeNumber(
    AZURE.ipsec.saDataSizeKilobytesRange.min,
    AZURE.ipsec.saDataSizeKilobytesRange.max,
    'KB',
  ).default(AZURE.ipsec.saDataSizeKilobytes),
  /** Not configurable in Azure; a different value is a what-if. */
  ikeSaLifeTimeSeconds: wholeNumber(60, 604_800, 'seconds').default(AZURE.ipsec.ikeSaLifeTimeSeconds),
});

const VpnLinkConnectionSchema = z.strictObject({
  name: resourceName,
  /** The name of a link of the connection's remote VPN site. */
  vpnSiteLink: reference,
  enableBgp: z.boolean().default(false),
  /** Azure's IKE role on this link connection (Default = both). */
  vpnLinkConnectionMode: linkConnectionMode.default('Default'),
  /** 0, as found in Azure exports, means unset and becomes the default (with a warning). */
  dpdTimeoutSeconds: dpdTimeoutSeconds.default(AZURE.ipsec.dpdTimeoutSeconds.default),
  ipsec: IpsecSchema.prefault({}),
  /** Which instances the device builds tunnels to: both (default) or one (static single tunnel). */
  instances: z
    .array(InstanceIdSchema)
    .min(1, 'names no instance; use [IN_0, IN_1] (both, the default) or one of them for a single tunnel')
    .default(() => [...INSTANCE_IDS]),
  vpnGatewayCustomBgpAddresses: z
    .array(
      z.strictObject({
        ipConfigurationId: InstanceIdSchema,
        customBgpIpAddress: customApipaAddress,
      }),
    )
    .default(() => []),
  /** vwan-ha extension: static prefixes routed over this link connection in addition to the site's addressSpace. */
  staticRoutes: z.array(cidrPrefix).default(() => []),
});

const VpnConnectionSchema = z.strictObject({
  name: resourceName,
  /** The name of a VPN site. */
  remoteVpnSite: reference,
  vpnLinkConnections: z.array(VpnLinkConnectionSchema).min(1, 'needs at least one link connection'),
});

// ---------------------------------------------------------------- the file

export const TopologySchema = z.strictObject({
  virtualHub: VirtualHubSchema,
  vnets: z.array(VnetSchema).default(() => []),
  vpnGateway: VpnGatewaySchema,
  vpnSites: z.array(VpnSiteSchema).default(() => []),
  vpnConnections: z
    .array(VpnConnectionSchema)
    .max(
      AZURE.scale.maxConnectionsPerHub,
      `more than ${AZURE.scale.maxConnectionsPerHub} VPN connections; a virtual hub supports at most ${AZURE.scale.maxConnectionsPerHub}`,
    )
    .default(() => []),
});

type DeepReadonly<T> = T extends readonly (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** What a topology file may contain (defaults optional). */
export type TopologyInput = z.input<typeof TopologySchema>;
/** A loaded, validated, normalised topology: every default filled, instances ordered IN_0, IN_1. */
export type Topology = DeepReadonly<z.output<typeof TopologySchema>>;

export type VirtualHub = Topology['virtualHub'];
export type Vnet = Topology['vnets'][number];
export type VpnGateway = Topology['vpnGateway'];
export type GatewayInstance = VpnGateway['instances'][number];
export type VpnSite = Topology['vpnSites'][number];
export type VpnSiteDevice = VpnSite['devices'][number];
export type VpnSiteLink = VpnSiteDevice['vpnSiteLinks'][number];
export type BgpTimers = VpnSiteDevice['bgpTimers'];
export type VpnConnection = Topology['vpnConnections'][number];
export type VpnLinkConnection = VpnConnection['vpnLinkConnections'][number];
export type VpnGatewayCustomBgpAddress = VpnLinkConnection['vpnGatewayCustomBgpAddresses'][number];
export type ConnectionMode = VpnLinkConnection['vpnLinkConnectionMode'];
