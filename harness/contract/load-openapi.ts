import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3 } from 'openapi-types';
import { HarnessError } from '../errors.ts';
import { toPointer, type YamlSource } from './yaml-source.ts';

/** Where every `$ref` with the given target stands in a parsed document, as JSON pointers. */
function findRefs(node: unknown, target: string, at: (string | number)[] = []): string[] {
  if (Array.isArray(node)) return node.flatMap((item, index) => findRefs(item, target, [...at, index]));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === '$ref' && value === target ? [toPointer([...at, key])] : findRefs(value, target, [...at, key]),
  );
}

interface SchemaValidationDetail {
  readonly instancePath: string;
  readonly message?: string;
}

function isMissingPointer(error: unknown): error is Error & { targetRef: string } {
  return error instanceof Error && typeof (error as { targetRef?: unknown }).targetRef === 'string';
}

function schemaDetails(error: unknown): readonly SchemaValidationDetail[] {
  const details = (error as { details?: unknown }).details;
  return Array.isArray(details) ? (details as SchemaValidationDetail[]) : [];
}

/**
 * Validates the OpenAPI document against the OpenAPI 3 schema and its own rules, then returns it
 * with every `$ref` resolved (swagger-parser). Failures become HarnessErrors naming the file, the
 * JSON pointer (and line) of the offending node and the reason.
 */
export async function loadOpenApi(source: YamlSource): Promise<OpenAPIV3.Document> {
  try {
    const parsed = structuredClone(source.data) as OpenAPIV3.Document;
    return (await SwaggerParser.validate(parsed)) as OpenAPIV3.Document;
  } catch (error) {
    if (isMissingPointer(error)) {
      const where = findRefs(source.data, error.targetRef)[0] ?? '';
      throw new HarnessError('KVSC_SPEC_REF_BROKEN', `$ref "${error.targetRef}" points at nothing`, {
        location: source.locate(where),
        hint: 'point it at an existing component (local refs start with #/components/)',
        cause: error,
      });
    }
    const [first, ...rest] = schemaDetails(error);
    if (first) {
      const more = rest.length > 0 ? ` (and ${rest.length} more problem(s))` : '';
      throw new HarnessError('KVSC_SPEC_INVALID', `${first.message ?? 'is not allowed here'}${more}`, {
        location: source.locate(first.instancePath),
        hint: 'see the OpenAPI 3.0 specification for what this field allows',
        cause: error,
      });
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new HarnessError('KVSC_SPEC_INVALID', message.trim().replace(/\s+/g, ' '), {
      location: source.locate(''),
      cause: error,
    });
  }
}
