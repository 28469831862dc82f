import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats ships CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** OpenAPI 3.0 schema keywords that carry documentation only and never constrain a value. */
const ANNOTATION_KEYWORDS = ['example', 'xml', 'externalDocs', 'discriminator'];

/** One schema violation, as ajv reports it. */
export interface SchemaViolation {
  /** JSON pointer into the validated body. */
  readonly instancePath: string;
  /** JSON pointer into the schema (the failing keyword). */
  readonly schemaPath: string;
  readonly message: string;
}

/** Every `x-…` key anywhere in a schema: OpenAPI vendor extensions, which never constrain a value. */
function vendorExtensions(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const item of node) vendorExtensions(item, found);
  else if (node !== null && typeof node === 'object')
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith('x-')) found.add(key);
      vendorExtensions(value, found);
    }
  return found;
}

/**
 * Compiles OpenAPI 3.0/3.1 schemas (strict ajv with formats and `nullable`). Vendor extensions
 * (`x-internal`, …) are known to ajv as annotations, so strict mode still refuses a misspelt
 * keyword but not an extension. Create one per contract.
 */
export function createSchemaCompiler(): (schema: object) => ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, validateFormats: true });
  addFormats(ajv);
  for (const keyword of ANNOTATION_KEYWORDS) ajv.addKeyword({ keyword });
  return (schema) => {
    for (const keyword of vendorExtensions(schema)) if (!ajv.getKeyword(keyword)) ajv.addKeyword({ keyword });
    return ajv.compile(schema);
  };
}

/** Turns ajv's errors into violations with the paths kept. */
export function toViolations(errors: readonly ErrorObject[] | null | undefined): SchemaViolation[] {
  return (errors ?? []).map((error) => ({
    instancePath: error.instancePath,
    schemaPath: error.schemaPath,
    message: `${error.message ?? 'is invalid'}${
      error.keyword === 'enum'
        ? ` (${JSON.stringify((error.params as { allowedValues: unknown }).allowedValues)})`
        : ''
    }`,
  }));
}

/** One line per violation: `body/data/id must match pattern "…" (schema #/properties/…)`. */
export function describeViolations(violations: readonly SchemaViolation[]): string {
  return violations
    .map((violation) => `body${violation.instancePath} ${violation.message} (schema ${violation.schemaPath})`)
    .join('; ');
}
