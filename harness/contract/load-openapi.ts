import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3 } from 'openapi-types';
import { parse } from 'yaml';
import { HarnessError } from '../errors.ts';
import { isSpecUrl, readSpecLocation } from './read-spec-location.ts';
import { toPointer, type YamlSource } from './yaml-source.ts';

/**
 * How swagger-parser reads the files a document's `$ref`s name: relative to the file that holds
 * them (a path or a URL), through readSpecLocation (timeout, size cap), parsed as YAML 1.2 with
 * merge keys expanded (JSON is YAML too).
 */
const REF_OPTIONS = {
  parse: {
    json: false,
    text: false,
    binary: false,
    yaml: {
      order: 1,
      canParse: true,
      parse: (file: { data: Buffer | string }) => parse(String(file.data), { merge: true }) as unknown,
    },
  },
  resolve: {
    file: false,
    http: false,
    location: {
      order: 1,
      canRead: true,
      // swagger-parser hands file paths percent-encoded (`{runId}` as `%7BrunId%7D`).
      read: (file: { url: string }) =>
        readSpecLocation(isSpecUrl(file.url) ? file.url : decodeURIComponent(file.url)),
    },
  },
};

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
 * Validates the OpenAPI 3.0/3.1 document (one file or split into many with relative `$ref`s)
 * against the OpenAPI schema and its own rules, then returns it with every `$ref` resolved
 * (swagger-parser). Failures become HarnessErrors naming the file, the
 * JSON pointer (and line) of the offending node and the reason.
 */
export async function loadOpenApi(source: YamlSource): Promise<OpenAPIV3.Document> {
  try {
    const parsed = structuredClone(source.data) as OpenAPIV3.Document;
    // The document's own location is the base its relative $refs resolve against (not the cwd).
    return (await SwaggerParser.validate(
      source.absolutePath,
      parsed,
      REF_OPTIONS as unknown as SwaggerParser.Options,
    )) as OpenAPIV3.Document;
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
