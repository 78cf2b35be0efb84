/**
 * Every Azure default and limit the model uses, each next to its public source
 * (see /work/shared/AZURE-FACTS.md). Later layers import numbers from here and
 * nowhere else, so a corrected fact is corrected once.
 *
 * Where Azure documents a number only for the classic (non-VWAN) VPN gateway, we
 * assume the Virtual WAN VPN gateway behaves the same and say so.
 */

/** An inclusive range of ASNs. */
export interface AsnRange {
  readonly first: number;
  readonly last: number;
  readonly reservedBy: 'Azure' | 'IANA';
  readonly why: string;
}

/** Instance ids as the seed names them, and as ARM / the VPN configuration file name them. */
export const INSTANCE_IDS = ['IN_0', 'IN_1'] as const;
export type InstanceId = (typeof INSTANCE_IDS)[number];

export const AZURE = {
  instances: {
    /** A VWAN VPN gateway always has two active-active instances (seed; ARM vpnGateways bgpSettings.bgpPeeringAddresses). */
    count: 2,
    ids: INSTANCE_IDS,
    /**
     * ARM `ipconfigurationId` / "Download VPN configuration" keys. Source: ARM
     * Microsoft.Network/vpnGateways bgpSettings.bgpPeeringAddresses; VWAN "Download
     * VPN configuration" docs (gatewayConfiguration.IpAddresses.Instance0/Instance1).
     */
    armNames: { IN_0: 'Instance0', IN_1: 'Instance1' },
    /**
     * Example default BGP addresses: one per instance from the hub address space
     * (e.g. Instance0 10.0.0.12, Instance1 10.0.0.13 in a 10.0.0.0/24 hub).
     * Source: ARM vpnGateways bgpSettings.bgpPeeringAddresses[].defaultBgpIpAddresses.
     */
    exampleDefaultBgpIps: { IN_0: '10.0.0.12', IN_1: '10.0.0.13' },
  },

  bgp: {
    /**
     * The VWAN VPN gateway's ASN: 65515, not editable in a Virtual WAN hub.
     * Source: learn.microsoft.com/azure/virtual-wan/virtual-wan-site-to-site-portal.
     */
    asn: 65515,
    asnEditable: false,
    /**
     * ASNs a VPN site may not use. Source: VPN Gateway FAQ, BGP section
     * (learn.microsoft.com/azure/vpn-gateway/vpn-gateway-vpn-faq): Azure reserves
     * public 8075, 8076, 12076 and private 65515, 65517–65520; IANA-reserved
     * 23456, 64496–64511, 65535–65551 and 4294967295 are refused.
     */
    reservedAsns: [
      { first: 8075, last: 8076, reservedBy: 'Azure', why: 'a Microsoft public ASN' },
      { first: 12076, last: 12076, reservedBy: 'Azure', why: 'a Microsoft public ASN' },
      { first: 65515, last: 65515, reservedBy: 'Azure', why: "the VPN gateway's own ASN" },
      { first: 65517, last: 65520, reservedBy: 'Azure', why: 'reserved for Azure internal use' },
      { first: 23456, last: 23456, reservedBy: 'IANA', why: 'AS_TRANS (RFC 6793)' },
      { first: 64496, last: 64511, reservedBy: 'IANA', why: 'documentation ASNs (RFC 5398)' },
      {
        first: 65535,
        last: 65551,
        reservedBy: 'IANA',
        why: 'reserved and documentation ASNs (RFC 7300, RFC 5398)',
      },
      { first: 4294967295, last: 4294967295, reservedBy: 'IANA', why: 'the last 32-bit ASN (RFC 7300)' },
    ] satisfies readonly AsnRange[],
    /** 4-octet ASNs (RFC 6793): 1 … 2^32−1; 0 is never valid (RFC 7607). */
    asnMin: 1,
    asnMax: 4294967295,
    /** A private ASN a user can pick when theirs is refused (RFC 6996 private range 64512–65534). */
    suggestedPrivateAsn: 65010,
    /**
     * Keepalive 60 s and hold 180 s, fixed: Azure does not negotiate them down, so a
     * device configured lower flaps. Source: VPN Gateway FAQ; Microsoft Tech Community
     * "Azure VPN Gateway BGP Timer Mismatches".
     */
    keepaliveSeconds: 60,
    holdSeconds: 180,
    negotiatesTimersDown: false,
    /** RFC 4271 §4.2: a hold time is 0 or at least 3 seconds. */
    minNonZeroHoldSeconds: 3,
    /** BFD is not supported on S2S VPN. Source: VPN Gateway FAQ. */
    bfd: false,
    /** Up to 4,000 prefixes per BGP session; above that Azure drops the session. Source: VPN Gateway FAQ. */
    maxPrefixesPerSession: 4000,
    /**
     * Custom (APIPA) BGP addresses an instance may use: 169.254.21.0 – 169.254.22.255.
     * Source: VPN Gateway FAQ; VWAN BGP peering docs.
     */
    customApipaRange: { first: '169.254.21.0', last: '169.254.22.255' },
    /**
     * Who opens the BGP TCP session: Azure opens it towards non-APIPA peers; with an
     * APIPA address on the device, the device must open it. Source: VPN Gateway FAQ.
     */
    opensSessionTowardsNonApipaPeers: true,
    opensSessionTowardsApipaPeers: false,
  },

  ipsec: {
    /**
     * VWAN default policies: Azure both initiates and responds.
     * Source: learn.microsoft.com/azure/virtual-wan/virtual-wan-ipsec (default policies).
     */
    defaultRoles: { initiates: true, responds: true },
    /**
     * `vpnLinkConnectionMode`: Default (both), InitiatorOnly, ResponderOnly.
     * Source: ARM vpnLinkConnections; azurerm vpn_gateway_connection docs.
     */
    linkConnectionModes: ['Default', 'InitiatorOnly', 'ResponderOnly'],
    /**
     * DPD timeout: default 45 s, range 9–3,600 s; 0 in an export means unset.
     * Source: VPN Gateway FAQ; IPsec/IKE policy docs.
     */
    dpdTimeoutSeconds: { default: 45, min: 9, max: 3600, unsetInExports: 0 },
    /**
     * VWAN IPsec (child) SA: 3,600 s and 102,400,000 KB. Source: VWAN IPsec default
     * policies; VPN configuration file (`SALifeTimeInSeconds`, `SADataSizeInKilobytes`).
     */
    saLifeTimeSeconds: 3600,
    saDataSizeKilobytes: 102400000,
    /**
     * Custom policy ranges for the child SA: 300–172,799 s and 1,024–2,147,483,647 KB.
     * Source: learn.microsoft.com/azure/vpn-gateway/ipsec-ike-policy-howto (classic
     * gateway; assumed the same for VWAN, whose custom policy takes the same fields).
     */
    saLifeTimeSecondsRange: { min: 300, max: 172799 },
    saDataSizeKilobytesRange: { min: 1024, max: 2147483647 },
    /**
     * IKE SA lifetime 28,800 s, not configurable. Source: "About VPN devices and
     * IPsec/IKE parameters" (learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-devices,
     * IKE Phase 1 SA lifetime) — documented for the classic gateway, assumed for VWAN.
     */
    ikeSaLifeTimeSeconds: 28800,
    /**
     * Default proposals with Azure as initiator; as responder Azure also accepts PFS
     * 1, 2, 14, 24. Source: learn.microsoft.com/azure/virtual-wan/virtual-wan-ipsec.
     */
    initiatorProposals: {
      ike: ['AES256-SHA1-DH2', 'AES256-SHA256-DH2', 'AES128-SHA1-DH2', 'AES128-SHA256-DH2'],
      child: ['GCMAES256-PFSNONE', 'AES256-SHA1-PFSNONE', 'AES256-SHA256-PFSNONE', 'AES128-SHA1-PFSNONE'],
    },
    responderExtraPfsGroups: [1, 2, 14, 24],
  },

  scale: {
    /** 1 scale unit = 500 Mbps per instance. Source: Virtual WAN limits (learn.microsoft.com/azure/virtual-wan/virtual-wan-faq). */
    mbpsPerInstancePerScaleUnit: 500,
    /** Up to 20 Gbps per gateway. Source: Virtual WAN limits. */
    maxGatewayMbps: 20000,
    /** 20 Gbps / (2 instances × 500 Mbps): the largest scale unit the limit allows. */
    maxScaleUnits: 20,
    /** 1,000 VPN connections per hub. Source: Virtual WAN limits. */
    maxConnectionsPerHub: 1000,
    /** 4 links per VPN site (8 tunnels). Source: Virtual WAN limits; path-selection-multiple-links. */
    maxLinksPerSite: 4,
    /** 2,000 tunnels per gateway. Source: Virtual WAN limits. */
    maxTunnelsPerGateway: 2000,
    /** 1 Gbps per tunnel. Source: Virtual WAN limits. */
    maxTunnelMbps: 1000,
  },

  hub: {
    /**
     * The hub address space must be /24 or larger. Source: virtual-wan-site-to-site-portal
     * ("The minimum address space is /24 to create a hub").
     */
    maxAddressPrefixLength: 24,
    /**
     * Route selection: longest prefix → static over BGP → hub routing preference
     * (ExpressRoute / VPN / AS path) → shorter AS path → ECMP; the default preference is
     * ExpressRoute. Source: learn.microsoft.com/azure/virtual-wan/about-virtual-hub-routing-preference.
     */
    routingPreferences: ['ExpressRoute', 'VpnGateway', 'ASPath'],
    defaultRoutingPreference: 'ExpressRoute',
    /**
     * ECMP: active-active uses both tunnels at once; one TCP/UDP flow stays on one tunnel.
     * Source: VPN Gateway active-active docs.
     */
    ecmpPerFlow: true,
  },

  failover: {
    /**
     * Classic active-standby failover times: planned maintenance 10–15 s; unplanned
     * about 1–1.5 min (a later revision of the page: 1–3 min). Source:
     * learn.microsoft.com/azure/vpn-gateway/vpn-gateway-highlyavailable. Assumed for the
     * public IP move of a VWAN single-tunnel design.
     */
    plannedSeconds: { min: 10, max: 15 },
    unplannedSeconds: { min: 60, max: 90 },
    unplannedSecondsLaterRevision: { min: 60, max: 180 },
  },

  /**
   * How the platform sequences an instance outage in the simulator. Azure documents
   * only the classic gateway's end-to-end failover times (above); these split them
   * into steps and are assumptions, stated as such. Scenario files may override them.
   */
  platform: {
    /**
     * Planned: the instance stops taking new flows and sends BGP Cease and IKE DELETE
     * for tunnels that have a partner tunnel at once, then stops after this drain.
     * Assumed equal to the lower bound of the documented 10–15 s planned failover.
     */
    plannedDrainMs: 10_000,
    /**
     * Planned: from the instance stopping until its public IP answers on the other
     * instance (single static tunnel). With IKE re-establishment on top, the tunnel's
     * outage lands inside the documented 10–15 s.
     */
    plannedIpMoveMs: 10_000,
    /**
     * Unplanned: from a silent crash until the platform stops using the instance as a
     * hub next hop: the lower bound of the documented 1–1.5 min unplanned failover.
     */
    unplannedDetectionMs: 60_000,
    /** Unplanned: from the crash until the public IP answers on the other instance: the upper bound, 1.5 min. */
    unplannedIpMoveMs: 90_000,
    /** From `recover` to the instance being up: not documented; 0 so the scenario's time is the time it is back. */
    recoveryBootMs: 0,
    /**
     * From the instance being up until it takes its public IP back. The seed: "When
     * the failed instance recovers, the Public IP and the tunnel will go back to that
     * instance"; no delay is documented, so none is added.
     */
    failbackDelayMs: 0,
  },

  maintenance: {
    /**
     * Customer-controlled maintenance windows for VWAN S2S gateways: at least 5 h,
     * daily; no advance notice. Source: VPN Gateway customer-controlled maintenance FAQ.
     */
    minWindowHours: 5,
    advanceNotice: false,
  },
} as const;

/** The reserved range an ASN falls in, if any. */
export function reservedAsnRange(asn: number): AsnRange | undefined {
  return AZURE.bgp.reservedAsns.find((range) => asn >= range.first && asn <= range.last);
}

/** `Instance0` ↔ `IN_0`: accepts either spelling, returns the seed's. */
export function normaliseInstanceId(id: string): InstanceId | undefined {
  for (const instance of INSTANCE_IDS) {
    if (id === instance || id === AZURE.instances.armNames[instance]) return instance;
  }
  return undefined;
}
