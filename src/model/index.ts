/**
 * The topology model's public API (platform-free). Node code that reads files
 * imports loadTopologyFile from './load-file.ts'.
 */
export {
  type AsnRange,
  AZURE,
  INSTANCE_IDS,
  type InstanceId,
  normaliseInstanceId,
  reservedAsnRange,
} from './azure-defaults.ts';
export { formatIssue, formatPath, type IssuePath, type PathSegment, type TopologyIssue } from './issues.ts';
export { type LoadResult, loadTopology, parseTopology } from './load.ts';
export {
  type BgpTimers,
  type ConnectionMode,
  type GatewayInstance,
  InstanceIdSchema,
  type Topology,
  type TopologyInput,
  TopologySchema,
  type VirtualHub,
  type Vnet,
  type VpnConnection,
  type VpnGateway,
  type VpnGatewayCustomBgpAddress,
  type VpnLinkConnection,
  type VpnSite,
  type VpnSiteDevice,
  type VpnSiteLink,
  VWAN_HA_DEFAULTS,
} from './schema.ts';
export { crossCheck } from './validate.ts';
export { type ResolvedLinkConnection, resolveLinkConnections, summarizeTopology } from './views.ts';
