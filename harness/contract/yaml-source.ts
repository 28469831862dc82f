import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { HarnessError, type SourceLocation } from '../errors.ts';

/** A parsed YAML file that can say where (line, column) a JSON pointer points. */
export interface YamlSource {
  /** The path as shown to users (relative to the working directory when inside it). */
  readonly file: string;
  readonly absolutePath: string;
  readonly data: unknown;
  /** The location of a JSON pointer, with its line and column when the node exists. */
  locate(pointer: string): SourceLocation;
}

/** Splits an RFC 6901 JSON pointer into its unescaped tokens. */
export function pointerTokens(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .replace(/^\//, '')
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Builds an RFC 6901 JSON pointer from tokens. */
export function toPointer(tokens: readonly (string | number)[]): string {
  return tokens.map((token) => '/' + String(token).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** Shows a path relative to the working directory when it is inside it. */
export function displayPath(absolutePath: string): string {
  const shown = relative(process.cwd(), absolutePath);
  return shown.startsWith('..') || shown === '' ? absolutePath : shown;
}

/**
 * A source for data parsed from a file before (in another process): it can say which file and
 * pointer, not which line.
 */
export function parsedSource(absolutePath: string, data: unknown): YamlSource {
  const file = displayPath(absolutePath);
  return { file, absolutePath, data, locate: (pointer) => ({ file, pointer }) };
}

/** Reads and parses a YAML file, failing with KVSC_SPEC_UNREADABLE and the position of a syntax error. */
export function readYamlSource(absolutePath: string): YamlSource {
  const file = displayPath(absolutePath);
  let text: string;
  try {
    text = readFileSync(absolutePath, 'utf8');
  } catch (error) {
    throw new HarnessError('KVSC_SPEC_UNREADABLE', `cannot read the file: ${(error as Error).message}`, {
      location: { file, pointer: '' },
      cause: error,
    });
  }
  return parseYamlSource(text, absolutePath, file);
}

/**
 * Parses YAML (or JSON) text read from `absolutePath` (a file path or a URL), shown as `file`.
 * YAML merge keys (`<<: *anchor`) are expanded, as the tools that write OpenAPI documents expect.
 */
export function parseYamlSource(text: string, absolutePath: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, merge: true });
  const syntaxError = document.errors[0];
  if (syntaxError) {
    const position = lineCounter.linePos(syntaxError.pos[0]);
    throw new HarnessError('KVSC_SPEC_UNREADABLE', `not valid YAML: ${syntaxError.message.split('\n')[0]}`, {
      location: { file, pointer: '', line: position.line, column: position.col },
    });
  }
  return {
    file,
    absolutePath,
    data: document.toJS() as unknown,
    locate(pointer: string): SourceLocation {
      const node: unknown = document.getIn(pointerTokens(pointer), true);
      if (!isNode(node) || !node.range) return { file, pointer };
      const position = lineCounter.linePos(node.range[0]);
      return { file, pointer, line: position.line, column: position.col };
    },
  };
}
