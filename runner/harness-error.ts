import { isAbsolute, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A serialized error as vitest hands it to a reporter (its cause chain included). */
interface ErrorLike {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly stack?: unknown;
  readonly cause?: unknown;
}

/** JavaScript's programming errors: thrown by the harness's own code, they are its bugs. */
const PROGRAMMING_ERRORS: ReadonlySet<unknown> = new Set(['TypeError', 'ReferenceError', 'RangeError']);
/** A V8 stack frame's file: `at fn (file:line:col)` or `at file:line:col`. */
const FRAME = /^\s*at (?:.*? \()?(.+?):\d+:\d+\)?$/;

const isError = (value: unknown): value is ErrorLike => typeof value === 'object' && value !== null;

/** Whether an error's name is one of JavaScript's programming errors (TypeError, ReferenceError, RangeError). */
export const isProgrammingError = (name: unknown): boolean => PROGRAMMING_ERRORS.has(name);

/**
 * When a test's error is a bug of the harness — a TypeError, ReferenceError or RangeError thrown
 * by its own code (a suite, a helper, a driver adapter; `codeRoot` outside its node_modules) — what
 * it says and where (`TypeError: … at harness/drivers/x.ts:12`); else undefined. The target's
 * misbehaviour reaches a test as a contract violation, an API error or an assertion, and a client
 * library's own throw has its first frame in that library: those stay failures of the rules the
 * test cites. fast-check keeps the property's own error as the cause: the deepest cause is judged.
 */
export function harnessErrorOf(error: unknown, codeRoot: string): string | undefined {
  let deepest = error;
  while (isError(deepest) && isError(deepest.cause)) deepest = deepest.cause;
  if (!isError(deepest) || !isProgrammingError(deepest.name)) return undefined;
  const frames = (typeof deepest.stack === 'string' ? deepest.stack : '').split('\n');
  // The first frame in a file: a runtime builtin (node:…, JSON.parse) throws for its caller.
  const located = frames
    .map((line) => FRAME.exec(line))
    .find((match) => match?.[1] !== undefined && !match[1].startsWith('node:') && match[1] !== 'native');
  if (!located?.[1]) return undefined;
  const file = located[1].startsWith('file:') ? fileURLToPath(located[1]) : located[1];
  const where = relative(codeRoot, file);
  if (!isAbsolute(file) || where.startsWith('..') || where.split(sep).includes('node_modules'))
    return undefined;
  const position = /:(\d+):\d+\)?$/.exec(located[0])?.[1];
  return `${String(deepest.name)}: ${String(deepest.message)} at ${where.split(sep).join('/')}:${position ?? '?'}`;
}
