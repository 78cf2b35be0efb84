/**
 * What an importer builds before it becomes a topology file: the model's resources,
 * each value tagged with where in which input file it came from, so an error the
 * topology model finds later (a reserved ASN, overlapping prefixes …) is reported
 * against the JSON path the user can fix, not against a YAML file they never wrote.
 * Platform-free.
 */
import type { ConnectionMode, InstanceId, IssuePath } from '../model/index.ts';

/** Where a value came from: input file and JSON path. */
export interface Origin {
  readonly source: string;
  readonly path: IssuePath;
}

export interface Sourced<T> {
  readonly value: T;
  readonly from: Origin;
}

export function sourced<T>(value: T, from: Origin): Sourced<T> {
  return { value, from };
}

export interface IrHub {
  name: Sourced<string>;
  addressPrefix: Sourced<string>;
  hubRoutingPreference?: Sourced<string>;
  readonly from: Origin;
  readonly comments: string[];
}

export interface IrVnet {
  name: Sourced<string>;
  addressPrefixes: Sourced<string>[];
  readonly from: Origin;
  readonly comments: string[];
}

export interface IrInstance {
  readonly id: InstanceId;
  tunnelIpAddress: Sourced<string>;
  defaultBgpIpAddress: Sourced<string>;
  customBgpIpAddresses: Sourced<string>[];
  readonly from: Origin;
}

export interface IrGateway {
  name: Sourced<string>;
  vpnGatewayScaleUnit?: Sourced<number>;
  asn?: Sourced<number>;
  instances: IrInstance[];
  readonly from: Origin;
  readonly comments: string[];
}

export interface IrLink {
  name: Sourced<string>;
  ipAddress: Sourced<string>;
  linkProviderName?: Sourced<string>;
  linkSpeedInMbps?: Sourced<number>;
  bgp?: { asn: Sourced<number>; bgpPeeringAddress: Sourced<string>; readonly from: Origin };
  readonly from: Origin;
  readonly comments: string[];
}

export interface IrDevice {
  name: string;
  links: IrLink[];
  /** Present when the importer knows what the device announces over BGP. */
  advertisedPrefixes?: Sourced<string>[];
  readonly from: Origin;
  readonly comments: string[];
}

export interface IrSite {
  name: Sourced<string>;
  addressSpace: Sourced<string>[];
  device: IrDevice;
  readonly from: Origin;
  readonly comments: string[];
}

export interface IrCustomBgpAddress {
  readonly instance: InstanceId;
  readonly address: Sourced<string>;
  readonly from: Origin;
}

export interface IrLinkConnection {
  name: Sourced<string>;
  link: IrLink;
  enableBgp?: Sourced<boolean>;
  vpnLinkConnectionMode?: Sourced<ConnectionMode>;
  dpdTimeoutSeconds?: Sourced<number>;
  saLifeTimeSeconds?: Sourced<number>;
  saDataSizeKilobytes?: Sourced<number>;
  /** Absent: both instances (Azure always offers both; the device may build one). */
  instances?: Sourced<readonly InstanceId[]>;
  customBgpAddresses: IrCustomBgpAddress[];
  readonly from: Origin;
  readonly comments: string[];
}

export interface IrConnection {
  name: Sourced<string>;
  site: IrSite;
  linkConnections: IrLinkConnection[];
  readonly from: Origin;
  readonly comments: string[];
}

export interface IrTopology {
  hub: IrHub;
  vnets: IrVnet[];
  gateway: IrGateway;
  sites: IrSite[];
  connections: IrConnection[];
  /** Lines for the top of the file. */
  readonly header: string[];
}
