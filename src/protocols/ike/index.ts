/**
 * IKEv2/IPsec tunnel lifecycle (RFC 7296), sans-IO: `IkeEndpoint` is the core,
 * `config.ts` holds the defaults and the timing formulas, `SimulatedIkeTunnel`
 * runs two endpoints over a lossy path on the simulation kernel.
 */
export * from './config.ts';
export { IkeEndpoint } from './endpoint.ts';
export * from './messages.ts';
export * from './sim-tunnel.ts';
export type * from './types.ts';
