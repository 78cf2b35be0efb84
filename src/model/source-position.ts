/**
 * Where a field of a parsed YAML/JSON document sits in its text, so an issue can
 * say `file:line:column`. Shared by the topology loader and the Azure importers.
 * Platform-free.
 */
import { isMap, isPair, isScalar, isSeq, type Node } from 'yaml';
import type { IssuePath } from './issues.ts';

/**
 * Source offset of the field at `path`: the key of the last segment when it is a
 * mapping key (so a line points at `asn:`), else the value; the deepest existing
 * ancestor when the field is missing.
 */
export function offsetOf(root: unknown, path: IssuePath): number | undefined {
  let node: unknown = root;
  let offset = rangeStart(root);
  for (const [index, segment] of path.entries()) {
    let next: unknown;
    let keyOffset: number | undefined;
    if (isMap(node) && typeof segment === 'string') {
      const pair = node.items.find(
        (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === segment,
      );
      if (pair !== undefined) {
        next = pair.value;
        keyOffset = rangeStart(pair.key);
      }
    } else if (isSeq(node) && typeof segment === 'number') {
      next = node.items[segment];
    }
    if (next === undefined && keyOffset === undefined) return offset;
    const last = index === path.length - 1;
    offset = (last ? keyOffset : undefined) ?? rangeStart(next) ?? keyOffset ?? offset;
    node = next;
  }
  return offset;
}

export function rangeStart(node: unknown): number | undefined {
  if (node === null || typeof node !== 'object' || !('range' in node)) return undefined;
  const range = (node as Node).range;
  return Array.isArray(range) ? range[0] : undefined;
}
