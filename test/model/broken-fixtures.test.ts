import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssue, loadTopology } from '../../src/model/index.ts';

/**
 * Each file in test/fixtures/broken/ states what must go wrong in `# expect-error:`
 * lines: every line must match one reported error (as `line:column: path: message`,
 * matched by substring), and the file must report exactly that many errors.
 */
const dir = join(import.meta.dirname, '../fixtures/broken');
const fixtures = readdirSync(dir).filter((name) => name.endsWith('.yaml'));

describe('broken topology files are rejected with the field path and what would be accepted', () => {
  it('has fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(10);
  });

  for (const name of fixtures) {
    it(name, () => {
      const text = readFileSync(join(dir, name), 'utf8');
      const expected = [...text.matchAll(/^# expect-error: (.*)$/gm)].map((match) => match[1] as string);
      expect(expected.length, 'fixture states its expected errors').toBeGreaterThan(0);
      const result = loadTopology(text);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      const reported = result.errors.map((issue) => formatIssue(issue));
      for (const fragment of expected) {
        expect(
          reported.some((line) => line.includes(fragment)),
          `expected an error containing\n  ${fragment}\ngot\n  ${reported.join('\n  ')}`,
        ).toBe(true);
      }
      expect(reported, 'no errors beyond the expected ones').toHaveLength(expected.length);
    });
  }
});

/** YAML that Biome itself refuses to parse cannot live in a fixture file (`npm test` lints every file). */
describe('YAML syntax errors report line:column', () => {
  it.each([
    [
      'an unclosed flow sequence',
      'vpnGateway:\n  instances: [\n    { id: IN_0 }\nvpnSites: []\n',
      '4:1: YAML syntax error: Flow sequence',
    ],
    [
      'a tab as indentation',
      'virtualHub:\n\tname: hub-weu\n',
      '2:1: YAML syntax error: Tabs are not allowed as indentation',
    ],
    [
      'a bad escape',
      'virtualHub: { name: "hub\\q" }\n',
      '1:25: YAML syntax error: Invalid escape sequence \\q',
    ],
    [
      'two documents',
      'virtualHub: {}\n---\nvnets: []\n',
      '2:1: YAML syntax error: the file holds more than one YAML document (---); a topology is one',
    ],
  ])('%s', (_, text, expected) => {
    const result = loadTopology(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((issue) => formatIssue(issue))[0]).toContain(expected);
  });
});
