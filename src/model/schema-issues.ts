/**
 * Turns zod's issues into TopologyIssues a network engineer can act on: one per
 * field, naming what was found and what would be accepted, with "did you mean"
 * for unknown fields and enum values. Platform-free.
 */
import type { z } from 'zod';
import { error, type IssuePath, type PathSegment, type TopologyIssue } from './issues.ts';
import { closest, didYouMean } from './suggest.ts';

type Schema = z.core.$ZodType;

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping of fields',
  array: 'a list',
};

/** A short, safe description of any input value for a message. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
    case 'number':
      return String(value);
    case 'boolean':
      return String(value);
    case 'undefined':
      return 'nothing';
    case 'object':
      return 'a mapping';
    default:
      return typeof value;
  }
}

function entries(count: number): string {
  return count === 1 ? '1 entry' : `${count} entries`;
}

function hint(expected: string, input: unknown): string {
  if (expected === 'boolean' && typeof input === 'string' && /^(yes|no|on|off|y|n)$/i.test(input)) {
    return `; YAML 1.2 reads ${input} as text, write true or false`;
  }
  if (
    (expected === 'number' || expected === 'int') &&
    typeof input === 'string' &&
    /^-?[0-9.e+]+$/i.test(input)
  ) {
    return '; write it without quotes';
  }
  if (expected === 'array' && (typeof input === 'string' || typeof input === 'number')) {
    return `; write a list, e.g. [${String(input)}]`;
  }
  return '';
}

/** Parse-time error map: friendlier words for zod's generic issues (schema-level messages win). */
export function friendlyMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      if (issue.input === undefined) return `missing; expected ${expected}`;
      if (typeof issue.input === 'number' && (issue.expected === 'number' || issue.expected === 'int')) {
        return `expected ${expected}, got ${describeValue(issue.input)} (too large to represent)`;
      }
      return `expected ${expected}, got ${describeValue(issue.input)}${hint(issue.expected, issue.input)}`;
    }
    case 'invalid_value': {
      const accepted = issue.values.map((value) => String(value));
      const found = describeValue(issue.input);
      return `${found} is not accepted${didYouMean(String(issue.input), accepted)}`;
    }
    case 'too_small': {
      const minimum = Number(issue.minimum);
      if (issue.origin === 'array') return `needs at least ${entries(minimum)}`;
      if (issue.origin === 'string')
        return minimum <= 1 ? 'must not be empty' : `needs at least ${minimum} characters`;
      return `must be at least ${minimum}`;
    }
    case 'too_big': {
      const maximum = Number(issue.maximum);
      if (issue.origin === 'array') return `has too many entries; at most ${maximum}`;
      if (issue.origin === 'string') return `is longer than ${maximum} characters`;
      return `must be at most ${maximum}`;
    }
    default:
      return undefined;
  }
}

/** Steps through wrappers (defaults, optionals, pipes of preprocess/transform) to the schema that holds fields. */
function unwrap(schema: Schema): Schema {
  let current = schema;
  for (let depth = 0; depth < 32; depth++) {
    const def = current._zod.def;
    switch (def.type) {
      case 'default':
      case 'prefault':
      case 'optional':
      case 'nullable':
      case 'nonoptional':
      case 'readonly':
      case 'catch':
        current = (def as z.core.$ZodOptionalDef).innerType;
        break;
      case 'pipe': {
        const pipe = def as z.core.$ZodPipeDef;
        current = pipe.in._zod.def.type === 'transform' ? pipe.out : pipe.in;
        break;
      }
      default:
        return current;
    }
  }
  return current;
}

/** The field names the schema accepts at `path` (an object inside the topology), or [] if none. */
export function knownFields(schema: Schema, path: IssuePath): string[] {
  let current: Schema | undefined = unwrap(schema);
  for (const segment of path) {
    if (current === undefined) return [];
    const def: z.core.$ZodTypeDef = current._zod.def;
    if (def.type === 'object' && typeof segment === 'string') {
      current = (def as z.core.$ZodObjectDef).shape[segment];
    } else if (def.type === 'array' && typeof segment === 'number') {
      current = (def as z.core.$ZodArrayDef).element;
    } else {
      return [];
    }
    current = current === undefined ? undefined : unwrap(current);
  }
  if (current === undefined || current._zod.def.type !== 'object') return [];
  return Object.keys((current._zod.def as z.core.$ZodObjectDef).shape);
}

/**
 * Other names for a field that typos cannot explain: the short names of early
 * drafts and of the VPN configuration file, mapped to the Azure (ARM) names used here.
 */
const FIELD_ALIASES: Readonly<Record<string, string>> = {
  scaleUnits: 'vpnGatewayScaleUnit',
  scaleUnit: 'vpnGatewayScaleUnit',
  tunnelIp: 'tunnelIpAddress',
  defaultBgpIp: 'defaultBgpIpAddress',
  customBgpIps: 'customBgpIpAddresses',
  addressPrefixes: 'addressSpace',
  links: 'vpnSiteLinks',
  linkConnections: 'vpnLinkConnections',
  connections: 'vpnConnections',
  sites: 'vpnSites',
  site: 'remoteVpnSite',
  siteLink: 'vpnSiteLink',
  ipconfigurationId: 'ipConfigurationId',
  dpdTimeout: 'dpdTimeoutSeconds',
  connectionMode: 'vpnLinkConnectionMode',
  vpnLinkConnectionMode: 'connectionMode',
};

function guessField(key: string, known: readonly string[]): string | undefined {
  const alias = Object.hasOwn(FIELD_ALIASES, key) ? FIELD_ALIASES[key] : undefined;
  if (alias !== undefined && known.includes(alias)) return alias;
  return closest(key, known);
}

function fieldSuggestion(key: string, known: readonly string[]): string {
  const guess = guessField(key, known);
  return guess !== undefined ? `; did you mean "${guess}"?` : didYouMean(key, known, 'fields here are');
}

function toPath(path: readonly PropertyKey[]): PathSegment[] {
  return path.map((segment) => (typeof segment === 'number' ? segment : String(segment)));
}

/**
 * One TopologyIssue per offending field (first issue per field wins), unknown keys
 * split per key. A misspelt required field is reported once, as the unknown field
 * with its suggestion, not also as the missing one.
 */
export function schemaIssues(schema: Schema, issues: readonly z.core.$ZodIssue[]): TopologyIssue[] {
  const result: TopologyIssue[] = [];
  const seen = new Set<string>();
  const add = (path: IssuePath, message: string) => {
    const key = JSON.stringify(path);
    if (seen.has(key)) return;
    seen.add(key);
    result.push(error(path, message));
  };
  const suggested = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const path = toPath(issue.path);
    const known = knownFields(schema, path);
    for (const key of issue.keys) {
      const guess = guessField(key, known);
      if (guess !== undefined) suggested.add(JSON.stringify([...path, guess]));
    }
  }
  for (const issue of issues) {
    const path = toPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const known = knownFields(schema, path);
      for (const key of issue.keys) {
        add([...path, key], `unknown field ${describeValue(key)}${fieldSuggestion(key, known)}`);
      }
    } else if (
      issue.code === 'invalid_type' &&
      issue.input === undefined &&
      suggested.has(JSON.stringify(path))
    ) {
      // reported as the misspelt field
    } else if (issue.code === 'invalid_union') {
      add(path, 'does not match any accepted form');
    } else {
      add(path, issue.message);
    }
  }
  return result;
}
