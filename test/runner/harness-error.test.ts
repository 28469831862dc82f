// A TypeError in the harness's own code (a suite, a helper, a driver adapter) is the harness's
// fault: it must leave the test's rules not checked, never fail them (runner/harness-error.ts).
// What the target or a client library did stays a failure.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { harnessErrorOf } from '../../runner/harness-error.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A real error thrown from this repository's code (this file), as vitest serializes it. */
function thrownHere(): { name: string; message: string; stack: string } {
  try {
    const value = undefined as unknown as { items: unknown[] };
    return { name: 'Error', message: 'unreachable', stack: String(value.items.length) };
  } catch (error) {
    const { name, message, stack } = error as Error;
    return { name, message, stack: stack ?? '' };
  }
}

describe('harnessErrorOf', () => {
  it('a TypeError thrown by the harness’s own code is the harness’s, with where', () => {
    const error = thrownHere();
    expect(error.name).toBe('TypeError');
    expect(harnessErrorOf(error, ROOT)).toMatch(
      /^TypeError: Cannot read properties of undefined \(reading 'items'\) at test\/runner\/harness-error\.test\.ts:\d+$/,
    );
  });

  it('behind fast-check’s "Property failed", the deepest cause is judged', () => {
    const cause = thrownHere();
    const wrapped = {
      name: 'Error',
      message: 'Property failed after 1 tests',
      stack: 'Error\n    at x',
      cause,
    };
    expect(harnessErrorOf(wrapped, ROOT)).toMatch(/^TypeError: .* at test\/runner\//);
  });

  it('a TypeError a client library threw (its first frame in node_modules) is the library’s: a failure', () => {
    const library = join(ROOT, 'node_modules/apify-client/dist/resource_clients/key_value_store.js');
    const error = {
      name: 'TypeError',
      message: "Cannot read properties of null (reading 'value')",
      stack: `TypeError: Cannot read properties of null (reading 'value')\n    at KeyValueStoreClient.getRecord (${library}:120:30)\n    at ${join(ROOT, 'harness/drivers/apify-client-driver.ts')}:40:12`,
    };
    expect(harnessErrorOf(error, ROOT)).toBeUndefined();
  });

  it('a runtime builtin throws for its caller: a TypeError from node: internals in harness code is the harness’s', () => {
    const error = {
      name: 'TypeError',
      message: 'The first argument must be of type string',
      stack: `TypeError [ERR_INVALID_ARG_TYPE]: The first argument must be of type string\n    at Function.from (node:buffer:319:9)\n    at file://${join(ROOT, 'harness/drivers/http-driver.ts')}:77:5`,
    };
    expect(harnessErrorOf(error, ROOT)).toMatch(/ at harness\/drivers\/http-driver\.ts:77$/);
  });

  it('not a programming error (an assertion, an API error, a contract violation): undefined', () => {
    for (const name of ['AssertionError', 'ApifyApiError', 'ContractViolationError', 'Error'])
      expect(harnessErrorOf({ ...thrownHere(), name }, ROOT)).toBeUndefined();
  });

  it('code outside the harness (another package, the runtime alone) is not the harness’s', () => {
    const elsewhere = {
      name: 'TypeError',
      message: 'fetch failed',
      stack: 'TypeError: fetch failed\n    at node:internal/deps/undici/undici:13510:13',
    };
    expect(harnessErrorOf(elsewhere, ROOT)).toBeUndefined();
    expect(harnessErrorOf({ ...thrownHere() }, '/somewhere/else/')).toBeUndefined();
  });
});
