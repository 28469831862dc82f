import { HarnessError } from '../errors.ts';
import { applyOverlayAction } from './apply-overlay-action.ts';
import { storeViews } from './store-aliases.ts';
import { toPointer, type YamlSource } from './yaml-source.ts';

/** The published document the overlay was last compared against (`info.x-kvs-compared-against`). */
export interface ComparedDocument {
  /** What the document is and where it is published. */
  readonly document: string;
  /** Its `info.version`. */
  readonly version: string;
}

/** The public statement an overlay entry rests on (as a rule's source in spec/rules.yaml). */
export interface OverlaySource {
  readonly kind: string;
  readonly title: string;
  readonly url?: string;
  readonly locator?: string;
  readonly quote: string;
}

/** How an overlay entry stands to the official document (`x-kvs-kind`). */
export type OverlayEntryKind = 'tighter' | 'looser' | 'correction';

const ENTRY_KINDS: readonly OverlayEntryKind[] = ['tighter', 'looser', 'correction'];

/** One entry of the overlay: an Overlay 1.0 action with the project's name and public source. */
export interface OverlayEntry {
  /** Unique kebab-case name (`x-kvs-name`), cited by `contract diff`. */
  readonly name: string;
  readonly description: string;
  /** The public statement that justifies it (`x-kvs-source`). */
  readonly source: OverlaySource;
  readonly kind: OverlayEntryKind;
  /** The profile setting that governs a tighter demand (`x-kvs-setting`), if any. */
  readonly setting?: string;
  /** The schema constraints of spec/openapi.yaml it accounts for (`x-kvs-constraints`, JSON pointers). */
  readonly constraints: readonly string[];
  readonly target: string;
  readonly update?: unknown;
  readonly remove?: boolean;
}

/** A constraint of spec/openapi.yaml the official document states the same way. */
export interface OfficialConstraint {
  /** JSON pointer into spec/openapi.yaml, to the constraint keyword. */
  readonly pointer: string;
  /** Where the official document states it (path under apify-api/openapi/ and the place in it). */
  readonly at: string;
}

/** The project's overlay: limits, patterns and deliberate tightenings applied to a base document. */
export interface ContractOverlay {
  readonly file: string;
  readonly version: string;
  readonly comparedAgainst: ComparedDocument;
  /** `x-kvs-official`: the official document read, and the constraints it states as spec/openapi.yaml does. */
  readonly official: {
    readonly document: string;
    /** The official document's `info.version` the list was read from. */
    readonly version: string;
    readonly constraints: readonly OfficialConstraint[];
  };
  readonly entries: readonly OverlayEntry[];
}

const isPointer = (value: unknown): value is string => typeof value === 'string' && value.startsWith('/');

const NAME_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * Reads an OpenAPI Overlay 1.0 document (spec/overlay.yaml). Every action must carry `x-kvs-name`
 * (unique), `description`, `x-kvs-source`, `x-kvs-kind` (tighter, looser or correction), a
 * `target`, and either `update` or `remove: true`; `x-kvs-setting` (a setting name) and
 * `x-kvs-constraints` (JSON pointers) are optional, as is the document's `x-kvs-official`
 * ({document, version, constraints: [{pointer, at}]}). Anything else is KVSC_OVERLAY_INVALID with its
 * pointer and line.
 */
export function parseContractOverlay(source: YamlSource): ContractOverlay {
  const fail = (pointer: string, reason: string, hint?: string): never => {
    throw new HarnessError('KVSC_OVERLAY_INVALID', reason, {
      location: source.locate(pointer),
      ...(hint ? { hint } : {}),
    });
  };
  const data = source.data as Record<string, unknown> | null;
  if (data === null || typeof data !== 'object') return fail('', 'the overlay is not a YAML mapping');
  if (data.overlay !== '1.0.0')
    fail('/overlay', `overlay is ${JSON.stringify(data.overlay)}; allowed: "1.0.0" (OpenAPI Overlay 1.0)`);
  const info = (data.info ?? {}) as Record<string, unknown>;
  if (typeof info.version !== 'string' && typeof info.version !== 'number')
    fail('/info/version', 'info.version is missing');
  const compared = (info['x-kvs-compared-against'] ?? {}) as Record<string, unknown>;
  if (typeof compared.document !== 'string' || typeof compared.version !== 'string')
    fail(
      '/info/x-kvs-compared-against',
      'x-kvs-compared-against needs document and version (strings)',
      'name the published document the overlay was last compared against, and its info.version',
    );
  const officialRaw = (data['x-kvs-official'] ?? { document: '', version: '', constraints: [] }) as Record<
    string,
    unknown
  >;
  if (
    typeof officialRaw.document !== 'string' ||
    typeof officialRaw.version !== 'string' ||
    !Array.isArray(officialRaw.constraints)
  )
    fail(
      '/x-kvs-official',
      'x-kvs-official needs document (a URL), version (its info.version) and constraints (a list)',
    );
  const officialConstraints = (officialRaw.constraints as unknown[]).map((raw, index): OfficialConstraint => {
    const entry = (raw ?? {}) as Record<string, unknown>;
    if (!isPointer(entry.pointer) || typeof entry.at !== 'string' || entry.at === '')
      return fail(
        toPointer(['x-kvs-official', 'constraints', index]),
        'an official constraint needs pointer (a JSON pointer into spec/openapi.yaml) and at (where the official document states it)',
      );
    return { pointer: entry.pointer, at: entry.at };
  });
  if (!Array.isArray(data.actions)) return fail('/actions', 'actions must be a list');
  const names = new Set<string>();
  const entries = data.actions.map((raw: unknown, index): OverlayEntry => {
    const at = (field?: string): string => toPointer(field ? ['actions', index, field] : ['actions', index]);
    const action = (raw ?? {}) as Record<string, unknown>;
    const name = action['x-kvs-name'];
    if (typeof name !== 'string' || !NAME_PATTERN.test(name))
      fail(at('x-kvs-name'), `x-kvs-name is ${JSON.stringify(name)}; allowed: a kebab-case name`);
    const entryName = name as string;
    if (names.has(entryName)) fail(at('x-kvs-name'), `${entryName} is defined twice`);
    names.add(entryName);
    for (const field of ['description', 'target'])
      if (typeof action[field] !== 'string' || action[field] === '')
        fail(at(field), `${entryName} needs ${field} (a non-empty string)`);
    const source = (action['x-kvs-source'] ?? {}) as Record<string, unknown>;
    for (const field of ['kind', 'title', 'quote'])
      if (typeof source[field] !== 'string' || source[field] === '')
        fail(
          at('x-kvs-source'),
          `${entryName} needs x-kvs-source.${field}`,
          'x-kvs-source is {kind, title, url, locator, quote}: the public statement the entry rests on',
        );
    const kind = action['x-kvs-kind'] as OverlayEntryKind;
    if (!ENTRY_KINDS.includes(kind))
      fail(
        at('x-kvs-kind'),
        `${entryName}: x-kvs-kind is ${JSON.stringify(kind)}; allowed: ${ENTRY_KINDS.join(', ')}`,
      );
    const setting = action['x-kvs-setting'];
    if (setting !== undefined && (typeof setting !== 'string' || setting === ''))
      fail(at('x-kvs-setting'), `${entryName}: x-kvs-setting must name a profile setting`);
    const constraints = action['x-kvs-constraints'] ?? [];
    if (!Array.isArray(constraints) || !constraints.every(isPointer))
      fail(
        at('x-kvs-constraints'),
        `${entryName}: x-kvs-constraints must be a list of JSON pointers into spec/openapi.yaml`,
      );
    const remove = action.remove === true;
    if (remove === (action.update !== undefined))
      fail(at(), `${entryName} needs exactly one of update and remove: true`);
    try {
      applyOverlayAction({}, { target: action.target as string, remove: true });
    } catch (error) {
      fail(
        at('target'),
        `${entryName}: the target is not a JSONPath (RFC 9535): ${(error as Error).message}`,
      );
    }
    return {
      name: entryName,
      description: action.description as string,
      source: source as unknown as OverlaySource,
      kind,
      ...(typeof setting === 'string' ? { setting } : {}),
      constraints: constraints as string[],
      target: action.target as string,
      ...(remove ? { remove } : { update: action.update }),
    };
  });
  return {
    file: source.file,
    version: String(info.version),
    comparedAgainst: { document: compared.document as string, version: compared.version as string },
    official: {
      document: officialRaw.document as string,
      version: officialRaw.version as string,
      constraints: officialConstraints,
    },
    entries,
  };
}

/**
 * Applies the overlay's entries in order to a plain JSON document, in place; returns how many
 * nodes each entry's target selected (zero: the base already lacks what the entry changes). An
 * entry that names a store path reaches the same operation at its alias paths too (storeViews).
 */
export function applyContractOverlay(document: object, entries: readonly OverlayEntry[]): number[] {
  return entries.map((entry) =>
    storeViews(document).reduce((sum, view) => sum + applyOverlayAction(view, entry), 0),
  );
}
