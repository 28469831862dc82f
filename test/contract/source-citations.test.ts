import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HarnessError, loadContract } from '../../harness/index.ts';
import { parseSourceCitations } from '../../harness/contract/source-citation.ts';
import { specCopyWith } from './spec-files.ts';

const SETTINGS = ['consistency', 'listLimitAboveMax'];
const DOC = {
  kind: 'doc',
  title: 'Apify API v2 — Get record',
  url: 'https://docs.apify.com/api/v2/key-value-store-record-get',
  locator: 'Responses › 404',
  quote: 'A missing record answers 404.',
};

/** The problem parseSourceCitations reports for `raw`, as "pointer: reason". */
function problemOf(raw: unknown): string {
  try {
    parseSourceCitations(raw, SETTINGS, (pointer, reason) => {
      throw new Error(`${pointer}: ${reason}`);
    });
  } catch (error) {
    return (error as Error).message;
  }
  return 'accepted';
}

describe('rule and setting sources', () => {
  it('accept a public document with an inference that names the governing profile setting', () => {
    const parsed = parseSourceCitations(
      [
        DOC,
        { kind: 'inference', title: 'Open point', quote: 'Not documented.', setting: 'listLimitAboveMax' },
      ],
      SETTINGS,
      () => {
        throw new Error('unexpected');
      },
    );
    expect(parsed.map((source) => source.kind)).toEqual(['doc', 'inference']);
    expect(parsed[1]?.setting).toBe('listLimitAboveMax');
  });

  it.each([
    ['a plain string (the old form)', 'facts §1.1 (OAS responses)', /^: source must be a non-empty list/],
    ['an empty list', [], /^: source must be a non-empty list/],
    ['only an inference', [{ kind: 'inference', title: 'x', quote: 'y' }], /^: every source is an inference/],
    ['an unknown kind', [{ ...DOC, kind: 'blog' }], /^\/0\/kind: kind "blog"; allowed: doc, client, rfc/],
    [
      'a url that is not public https',
      [{ ...DOC, url: 'facts §1.1' }],
      /^\/0\/url: url "facts §1\.1" must be/,
    ],
    ['a document without a locator', [{ ...DOC, locator: '' }], /^\/0\/locator: locator must say where/],
    ['a document without a quote', [{ ...DOC, quote: ' ' }], /^\/0\/quote: quote must give the statement/],
    ['an unknown field', [{ ...DOC, note: 'x' }], /^\/0\/note: unknown field "note"/],
    [
      'an inference naming an unknown setting',
      [DOC, { kind: 'inference', title: 'x', quote: 'y', setting: 'nope' }],
      /^\/1\/setting: unknown profile setting "nope"; known: consistency, listLimitAboveMax/,
    ],
  ])('refuse %s, saying where and what is allowed', (_label, raw, expected) => {
    expect(problemOf(raw)).toMatch(expected);
  });

  it('fail loading a rule with no public source, naming the rule, file, pointer and line', async () => {
    const dir = specCopyWith('rules.yaml', (text) =>
      text.replace(
        /(- id: KVS-PAGE-005\n(?:.*\n)*? {4}source:\n)(?: {6}.*\n)+/,
        "$1      - { kind: inference, title: Guess, quote: 'We think so.' }\n",
      ),
    );
    const error = await loadContract({ specDir: dir }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe('KVSC_RULES_INVALID');
    expect((error as HarnessError).message).toMatch(
      /rules\.yaml.*\/rules\/\d+\/source.*line \d+.*KVS-PAGE-005: every source is an inference/s,
    );
  });

  it('leave no reference to the internal fact sheet anywhere a user reads (spec, docs, README, report snapshots)', () => {
    const files = [
      'spec/rules.yaml',
      'spec/profiles.yaml',
      'spec/openapi.yaml',
      'README.md',
      ...readdirSync('docs')
        .filter((name) => name.endsWith('.md') || name.endsWith('.json'))
        .map((name) => `docs/${name}`),
      ...readdirSync('test/reports/__snapshots__').map((name) => `test/reports/__snapshots__/${name}`),
    ];
    const offending = files.filter((file) => /facts §|apify-kvs-facts/.test(readFileSync(file, 'utf8')));
    expect(offending).toEqual([]);
  });
});
