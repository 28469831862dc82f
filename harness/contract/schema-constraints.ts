/** The JSON Schema / OpenAPI keywords that constrain a value (annotations such as `description` do not). */
const CONSTRAINT_KEYWORDS = new Set([
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'enum',
  'const',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'additionalProperties',
  'format',
  'required',
]);

/** One constraint of an OpenAPI document: where it is and what it demands. */
export interface SchemaConstraint {
  /** JSON pointer to the constraint keyword, e.g. /components/schemas/StoreId/pattern. */
  readonly pointer: string;
  readonly keyword: string;
  readonly value: unknown;
}

const escape = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Every constraint of an OpenAPI document (not dereferenced: each is found where it is written),
 * outside examples. `required: false` and `format: binary` (an annotation for raw bytes) demand
 * nothing and are left out.
 */
export function schemaConstraints(document: unknown): SchemaConstraint[] {
  const found: SchemaConstraint[] = [];
  const walk = (node: unknown, pointer: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, index) => walk(item, `${pointer}/${index}`));
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      const at = `${pointer}/${escape(key)}`;
      if (key === 'example' || key === 'examples') continue;
      const demandsNothing =
        (key === 'required' && value === false) || (key === 'format' && value === 'binary');
      // `required` in `properties` is a property's name, not the keyword.
      if (CONSTRAINT_KEYWORDS.has(key) && !demandsNothing && !pointer.endsWith('/properties'))
        found.push({ pointer: at, keyword: key, value });
      walk(value, at);
    }
  };
  walk(document, '');
  return found;
}
