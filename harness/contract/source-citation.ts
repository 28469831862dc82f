/**
 * What a source is: a public document (doc), a published client or Apify package file at a named
 * version (client), an RFC section (rfc), a public issue or pull-request thread (issue), or the
 * harness's own reading where the documents are silent (inference).
 */
export const SOURCE_KINDS = ['doc', 'client', 'rfc', 'issue', 'inference'] as const;

/** The kind of a source. */
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** One statement a rule or a profile setting rests on, with where a reader can check it. */
export interface SourceCitation {
  readonly kind: SourceKind;
  readonly title: string;
  /** The public address; absent only for an inference. */
  readonly url?: string;
  /** Where in the document: a section, a parameter, a function and line. */
  readonly locator?: string;
  /** A short quote or paraphrase of the statement. */
  readonly quote: string;
  /** For an inference: the profile setting that governs it, if any. */
  readonly setting?: string;
}

type Raw = Record<string, unknown>;
const isRecord = (value: unknown): value is Raw =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';
const FIELDS = new Set(['kind', 'title', 'url', 'locator', 'quote', 'setting']);

/** Where a problem is (a JSON pointer below the `source` list) and what it is. */
export type CitationProblem = (pointer: string, reason: string) => never;

/**
 * Parses a `source` list of spec/rules.yaml or spec/profiles.yaml. Every entry needs a kind, a
 * title and a quote; every entry but an inference needs an https url and a locator; an inference
 * has no url and may name the profile setting that governs it. At least one entry must be a public
 * document (not an inference), so every statement can be checked by a reader.
 */
export function parseSourceCitations(
  raw: unknown,
  settingNames: readonly string[],
  fail: CitationProblem,
): readonly SourceCitation[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    return fail(
      '',
      'source must be a non-empty list of {kind, title, url, locator, quote} naming public documents',
    );
  }
  const citations = raw.map((entry: unknown, index): SourceCitation => {
    const at = `/${index}`;
    if (!isRecord(entry)) return fail(at, 'a source must be a mapping with kind, title, url, locator, quote');
    const unknown = Object.keys(entry).find((field) => !FIELDS.has(field));
    if (unknown !== undefined)
      return fail(`${at}/${unknown}`, `unknown field "${unknown}"; allowed: ${[...FIELDS].join(', ')}`);
    const { kind, title, url, locator, quote, setting } = entry;
    if (!SOURCE_KINDS.includes(kind as SourceKind))
      return fail(`${at}/kind`, `kind ${JSON.stringify(kind)}; allowed: ${SOURCE_KINDS.join(', ')}`);
    if (!isText(title)) return fail(`${at}/title`, 'title must name the document');
    if (!isText(quote))
      return fail(`${at}/quote`, 'quote must give the statement (a short quote or paraphrase)');
    if (kind === 'inference') {
      if (url !== undefined)
        return fail(`${at}/url`, 'an inference has no url; cite the document as its own entry');
      if (setting !== undefined && !settingNames.includes(setting as string)) {
        return fail(
          `${at}/setting`,
          `unknown profile setting ${JSON.stringify(setting)}; known: ${settingNames.join(', ')}`,
        );
      }
      return {
        kind,
        title: title.trim(),
        quote: quote.trim(),
        ...(isText(locator) ? { locator: locator.trim() } : {}),
        ...(setting === undefined ? {} : { setting: setting as string }),
      };
    }
    if (!isText(url) || !/^https:\/\/[^\s/]+\.[^\s/]+\/?\S*$/.test(url))
      return fail(`${at}/url`, `url ${JSON.stringify(url)} must be a public https:// address`);
    if (!isText(locator))
      return fail(`${at}/locator`, 'locator must say where in the document (section, parameter, line)');
    if (setting !== undefined) return fail(`${at}/setting`, 'only an inference names a profile setting');
    return {
      kind: kind as SourceKind,
      title: title.trim(),
      url,
      locator: locator.trim(),
      quote: quote.trim(),
    };
  });
  if (citations.every((citation) => citation.kind === 'inference')) {
    return fail(
      '',
      'every source is an inference; cite at least one public document (doc, client, rfc or issue)',
    );
  }
  return citations;
}

/** One line naming the sources, for plain-text outputs: `title (locator); …`. */
export function describeSources(citations: readonly SourceCitation[]): string {
  return citations
    .map((citation) =>
      citation.kind === 'inference'
        ? `inference${citation.setting ? ` (profile setting ${citation.setting})` : ''}`
        : `${citation.title} (${citation.locator ?? ''})`,
    )
    .join('; ');
}
