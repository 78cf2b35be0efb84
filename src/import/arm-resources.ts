/**
 * The resources in one or more ARM files, whatever their shape: an ARM template
 * export (`{ resources: [...] }`, nested child resources, `[parameters(...)]`-style
 * expressions), the array `az resource list` / `az resource show --ids …` prints, a
 * REST list (`{ value: [...] }`), or one resource as `az network vpn-gateway show`
 * prints it — with `properties`, or flattened the way the az network commands print
 * them. Resources are keyed by type and name path, as their ids are. Platform-free.
 */
import { evaluateTemplateString, type TemplateScope } from './arm-expressions.ts';
import {
  type At,
  findKey,
  type IssueList,
  isJsonObject,
  type Json,
  type JsonObject,
  quoted,
  Reader,
  shown,
} from './reader.ts';

export interface ArmFile {
  /** The file name, for messages. */
  readonly source: string;
  readonly value: Json;
}

export interface ArmResource {
  /** Lower-case full type, e.g. `microsoft.network/vpnsites/vpnsitelinks`. */
  readonly type: string;
  /** Name per type segment: `['branch1', 'link1']`. */
  readonly names: readonly string[];
  readonly at: At<JsonObject>;
  /** `properties`, or the resource itself when the az CLI flattened it. */
  readonly props: At<JsonObject>;
  readonly flattened: boolean;
  /** The reader that evaluates this file's template expressions. */
  readonly reader: Reader;
}

/** Keys of a resource (or a sub-resource in a list) that are not its properties. */
export const ENVELOPE_KEYS = [
  'id',
  'name',
  'type',
  'location',
  'tags',
  'etag',
  'apiVersion',
  'dependsOn',
  'properties',
  'resourceGroup',
  'kind',
  'sku',
  'identity',
  'zones',
  'managedBy',
  'plan',
  'scope',
  'condition',
  'comments',
  'copy',
  'extendedLocation',
  'systemData',
  'changedTime',
  'createdTime',
  'resources',
] as const;

/** `type/name` parsed from a resource id; only the part after `providers/` matters here. */
export interface ParsedId {
  readonly type: string;
  readonly names: readonly string[];
}

export function parseResourceId(id: string): ParsedId | undefined {
  const parts = id.split('/').filter((part) => part !== '');
  const providers = parts.findIndex((part) => part.toLowerCase() === 'providers');
  if (providers < 0) return undefined;
  const rest = parts.slice(providers + 1);
  const namespace = rest[0];
  if (namespace === undefined || rest.length < 3 || rest.length % 2 === 0) return undefined;
  const types: string[] = [];
  const names: string[] = [];
  for (let i = 1; i < rest.length; i += 2) {
    types.push(rest[i] as string);
    names.push(decodeName(rest[i + 1] as string));
  }
  return { type: `${namespace}/${types.join('/')}`.toLowerCase(), names };
}

/** A percent-encoded id segment decoded; a malformed escape (`%zz`) is kept as written. */
function decodeName(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function resourceKey(type: string, names: readonly string[]): string {
  return `${type.toLowerCase()}|${names.map((name) => name.toLowerCase()).join('/')}`;
}

export class ArmResources {
  readonly list: ArmResource[] = [];
  private readonly byKey = new Map<string, ArmResource>();
  /** Resources by their parent's type and names, so finding children is not a scan of every resource. */
  private readonly byParent = new Map<string, ArmResource[]>();

  constructor(readonly issues: IssueList) {}

  add(resource: ArmResource): void {
    const key = resourceKey(resource.type, resource.names);
    const earlier = this.byKey.get(key);
    if (earlier !== undefined) {
      // The same resource in two files, or inline and as a child resource: the first wins.
      return;
    }
    this.byKey.set(key, resource);
    this.list.push(resource);
    const parent = resourceKey(resource.type, resource.names.slice(0, -1));
    const siblings = this.byParent.get(parent);
    if (siblings === undefined) this.byParent.set(parent, [resource]);
    else siblings.push(resource);
  }

  get(type: string, names: readonly string[]): ArmResource | undefined {
    return this.byKey.get(resourceKey(type, names));
  }

  byId(id: string): ArmResource | undefined {
    const parsed = parseResourceId(id);
    return parsed === undefined ? undefined : this.get(parsed.type, parsed.names);
  }

  ofType(type: string): ArmResource[] {
    return this.list.filter((resource) => resource.type === type.toLowerCase());
  }

  /** Children of `parent` of type `parent.type/childType`. */
  children(parent: ArmResource, childType: string): ArmResource[] {
    const type = `${parent.type}/${childType.toLowerCase()}`;
    return [...(this.byParent.get(resourceKey(type, parent.names)) ?? [])];
  }
}

/** Properties of a resource or sub-resource: `properties`, or the object itself when flattened. */
export function propertiesOf(
  reader: Reader,
  at: At<JsonObject>,
): { props: At<JsonObject>; flattened: boolean } {
  const key = findKey(at.value, 'properties');
  const value = key === undefined ? undefined : at.value[key];
  if (key !== undefined && value !== undefined && value !== null) {
    const path = [...at.path, key];
    const resolved = reader.asObject({ value, source: at.source, path }, 'properties');
    return { props: resolved ?? { value: {}, source: at.source, path }, flattened: false };
  }
  return { props: at, flattened: true };
}

interface Pending {
  readonly at: At<JsonObject>;
  readonly parentType?: string;
  readonly parentNames?: readonly string[];
}

/** Reads every file into `resources`, reporting shapes it cannot read against their paths. */
export function collectResources(
  files: readonly ArmFile[],
  issues: IssueList,
  unknownFields: 'error' | 'warning',
): ArmResources {
  const resources = new ArmResources(issues);
  for (const file of files) {
    const root: At<Json> = { value: file.value, source: file.source, path: [] };
    let reader = new Reader(issues, unknownFields);
    let pending: Pending[] = [];
    if (Array.isArray(file.value)) {
      pending = listItems(root, issues);
    } else if (isJsonObject(file.value)) {
      const rootObject = { ...root, value: file.value };
      const resourcesKey = findKey(file.value, 'resources');
      const valueKey = findKey(file.value, 'value');
      if (resourcesKey !== undefined && findKey(file.value, 'type') === undefined) {
        reader = templateReader(rootObject, issues, unknownFields);
        pending = listItems(
          { value: file.value[resourcesKey] as Json, source: file.source, path: [resourcesKey] },
          issues,
        );
      } else if (valueKey !== undefined && Array.isArray(file.value[valueKey])) {
        pending = listItems(
          { value: file.value[valueKey] as Json, source: file.source, path: [valueKey] },
          issues,
        );
      } else if (findKey(file.value, 'type') !== undefined) {
        pending = [{ at: rootObject }];
      } else {
        issues.error(
          root,
          'not an ARM file vwan-ha knows: expected an ARM template ({ "resources": [...] }), the list `az resource list` prints ([...]), or one resource with a "type", as `az network vpn-gateway show` prints',
        );
      }
    } else {
      issues.error(root, 'not an ARM file: expected a JSON object or list');
    }
    while (pending.length > 0) {
      const next = pending.shift() as Pending;
      const resource = readResource(next, reader, issues);
      if (resource === undefined) continue;
      resources.add(resource);
      const childrenKey = findKey(next.at.value, 'resources');
      if (childrenKey !== undefined) {
        const nested = listItems(
          {
            value: next.at.value[childrenKey] as Json,
            source: next.at.source,
            path: [...next.at.path, childrenKey],
          },
          issues,
        ).map((child) => ({ ...child, parentType: resource.type, parentNames: resource.names }));
        pending = [...pending, ...nested];
      }
    }
  }
  return resources;
}

function listItems(at: At<Json>, issues: IssueList): Pending[] {
  if (!Array.isArray(at.value)) {
    issues.error(at, 'expected a list of resources');
    return [];
  }
  const items: readonly Json[] = at.value;
  const out: Pending[] = [];
  items.forEach((item, index) => {
    const itemAt = { value: item, source: at.source, path: [...at.path, index] };
    if (isJsonObject(item)) out.push({ at: { ...itemAt, value: item } });
    else issues.error(itemAt, 'expected a resource (an object with "type" and "name")');
  });
  return out;
}

function templateReader(
  template: At<JsonObject>,
  issues: IssueList,
  unknownFields: 'error' | 'warning',
): Reader {
  const section = (key: string): JsonObject => {
    const found = findKey(template.value, key);
    const value = found === undefined ? undefined : template.value[found];
    return isJsonObject(value) ? value : {};
  };
  const scope: TemplateScope = { parameters: section('parameters'), variables: section('variables') };
  return new Reader(issues, unknownFields, (text) => evaluateTemplateString(text, scope));
}

function readResource(pending: Pending, reader: Reader, issues: IssueList): ArmResource | undefined {
  const { at } = pending;
  const typeAt = reader.requireString(
    at,
    'type',
    'every resource names its type, e.g. Microsoft.Network/vpnSites',
  );
  if (typeAt === undefined) return undefined;
  let type = typeAt.value.trim();
  if (pending.parentType !== undefined && !type.includes('/')) type = `${pending.parentType}/${type}`;
  type = type.toLowerCase();
  const segments = type.split('/').length - 1;
  if (segments < 1) {
    issues.error(
      typeAt,
      `${quoted(typeAt.value)} is not a resource type; expected a provider and type such as Microsoft.Network/vpnSites`,
    );
    return undefined;
  }

  const idAt = reader.string(at, 'id');
  const fromId = idAt === undefined ? undefined : parseResourceId(idAt.value);
  let names: string[] | undefined;
  let namesAt: { source: string; path: readonly (string | number)[] } | undefined = idAt;
  if (fromId !== undefined && fromId.type === type) {
    names = [...fromId.names];
  } else {
    const nameAt = reader.requireString(at, 'name', 'every resource has a name');
    if (nameAt === undefined) return undefined;
    namesAt = nameAt;
    names = nameAt.value.split('/');
    if (pending.parentNames !== undefined && names.length < segments) {
      names = [...pending.parentNames, ...names];
    }
  }
  if (names.length !== segments) {
    issues.error(
      namesAt ?? at,
      `a ${shown(type)} resource needs ${segments} name part(s) separated by "/", found ${quoted(names.join('/'))}`,
    );
    return undefined;
  }
  const propertiesKey = findKey(at.value, 'properties');
  if (propertiesKey !== undefined && at.value[propertiesKey] === null) {
    issues.error(
      { source: at.source, path: [...at.path, propertiesKey] },
      'properties is null: `az resource list` leaves properties out; list the resources with `az resource show --ids $(az resource list … --query "[].id" -o tsv)` instead',
    );
    return undefined;
  }
  const { props, flattened } = propertiesOf(reader, at);
  return { type, names, at, props, flattened, reader };
}
