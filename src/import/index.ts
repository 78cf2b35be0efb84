/**
 * Importers from Azure's files to a topology (platform-free): `importArm` for ARM
 * resources (template export, `az resource list`, one `az … show` resource) and
 * `importVpnConfig` for the Virtual WAN "Download VPN configuration" file.
 */
export { type ArmFile, importArm } from './arm.ts';
export { type ImportOptions, type ImportResult, parseAssignments } from './common.ts';
export {
  jsonNestingDepth,
  MAX_NESTING,
  MAX_TEXT_BYTES,
  parseImportText,
  textLimitProblem,
  valueLimitProblem,
} from './limits.ts';
export { formatImportIssue, locateIssues } from './locate.ts';
export type { ImportIssue, ImportSeverity, Json } from './reader.ts';
export { importVpnConfig } from './vpnconfig.ts';
