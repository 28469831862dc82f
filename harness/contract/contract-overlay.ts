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

/** One entry of the overlay: an Overlay 1.0 action with the project's name and public source. */
export interface OverlayEntry {
  /** Unique kebab-case name (`x-kvs-name`), cited by `contract diff`. */
  readonly name: string;
  readonly description: string;
  /** The public statement that justifies it (`x-kvs-source`). */
  readonly source: OverlaySource;
  readonly target: string;
  readonly update?: unknown;
  readonly remove?: boolean;
}

/** The project's overlay: limits, patterns and deliberate tightenings applied to a base document. */
export interface ContractOverlay {
  readonly file: string;
  readonly version: string;
  readonly comparedAgainst: ComparedDocument;
  readonly entries: readonly OverlayEntry[];
}

const NAME_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * Reads an OpenAPI Overlay 1.0 document (spec/overlay.yaml). Every action must carry `x-kvs-name`
 * (unique), `description` and `x-kvs-source`, a `target`, and either `update` or `remove: true`;
 * anything else is KVSC_OVERLAY_INVALID with its pointer and line.
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
      target: action.target as string,
      ...(remove ? { remove } : { update: action.update }),
    };
  });
  return {
    file: source.file,
    version: String(info.version),
    comparedAgainst: { document: compared.document as string, version: compared.version as string },
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
