import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { formatIssue, type LoadResult, loadTopology, parseTopology } from '../../src/model/index.ts';
import { baseTopology, type Plain } from './base-topology.ts';

/** A result is well-formed: errors only when not ok, every issue has a message, positions are 1-based. */
function wellFormed(result: LoadResult): void {
  const issues = result.ok ? result.warnings : [...result.errors, ...result.warnings];
  if (!result.ok) expect(result.errors.length).toBeGreaterThan(0);
  for (const issue of issues) {
    expect(issue.message.length).toBeGreaterThan(0);
    expect(formatIssue(issue)).not.toMatch(/\n\s+at /);
    if (issue.line !== undefined) expect(issue.line).toBeGreaterThanOrEqual(1);
    if (issue.column !== undefined) expect(issue.column).toBeGreaterThanOrEqual(1);
  }
}

/** Replaces the value at a random path inside `value` with `replacement` (or deletes it). */
function mutate(value: unknown, choices: readonly number[], replacement: unknown, remove: boolean): unknown {
  if (choices.length === 0 || value === null || typeof value !== 'object') return replacement;
  const [choice, ...rest] = choices as [number, ...number[]];
  if (Array.isArray(value)) {
    if (value.length === 0) return replacement;
    const index = choice % value.length;
    const copy = [...value];
    if (remove && rest.length === 0) copy.splice(index, 1);
    else copy[index] = mutate(copy[index], rest, replacement, remove);
    return copy;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return replacement;
  const key = keys[choice % keys.length] as string;
  const copy: Plain = { ...(value as Plain) };
  if (remove && rest.length === 0) delete copy[key];
  else copy[key] = mutate(copy[key], rest, replacement, remove);
  return copy;
}

describe('loading never throws, whatever the input', () => {
  it('parseTopology on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => wellFormed(parseTopology(value))),
      { numRuns: 500 },
    );
  });

  it('parseTopology on arbitrary JS values (undefined, NaN, -0, sparse arrays, null prototypes)', () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true }), (value) => wellFormed(parseTopology(value))),
      {
        numRuns: 300,
      },
    );
  });

  it('loadTopology on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => wellFormed(loadTopology(text))),
      { numRuns: 500 },
    );
  });

  it('loadTopology on arbitrary YAML-looking text', () => {
    const token = fc.constantFrom(
      'virtualHub:',
      'vpnSites:',
      '- ',
      '  ',
      '{',
      '}',
      '[',
      ']',
      ': ',
      '&a ',
      '*a',
      '!!binary ',
      '!tag ',
      '"',
      "'",
      '#',
      '\n',
      '---\n',
      '? ',
      '|\n',
      '10.0.0.0/24',
      '65515',
      '1e400',
      'name',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), (tokens) => wellFormed(loadTopology(tokens.join('')))),
      { numRuns: 500 },
    );
  });

  it('every single-field mutation of a valid topology, as a value and as YAML', () => {
    const replacement = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom(
        'IN_0',
        'Instance1',
        '10.0.0.12',
        '169.254.21.1',
        '10.0.0.0/24',
        65515,
        0,
        -1,
        Number.POSITIVE_INFINITY,
        'ResponderOnly',
      ),
    );
    fc.assert(
      fc.property(
        fc.array(fc.nat(50), { minLength: 1, maxLength: 8 }),
        replacement,
        fc.boolean(),
        (choices, value, remove) => {
          const mutated = mutate(baseTopology(), choices, value, remove);
          wellFormed(parseTopology(mutated));
          wellFormed(loadTopology(stringify(mutated)));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('YAML alias bombs are refused, not expanded', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 10; level++) {
      bomb.push(
        `${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + level)}`)
          .join(', ')}]`,
      );
    }
    const result = loadTopology(bomb.join('\n'));
    expect(result.ok).toBe(false);
    wellFormed(result);
  });

  it('deeply nested input', () => {
    wellFormed(loadTopology(`${'['.repeat(5000)}${']'.repeat(5000)}`));
    wellFormed(loadTopology(`virtualHub: ${'{a: '.repeat(2000)}1${'}'.repeat(2000)}`));
  });
});
