// A failure is shown by its rule, message, counterexample and exchanges — never by the harness's
// internal stack frames (its worker, fast-check's reporter, harness/failures): a user cannot act on them.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../server/index.ts';
import type { FaultProxy } from '../../proof/faults/fault-proxy.ts';
import { runCli } from '../../proof/run-cli.ts';
import { startUnsignedStoreProxy } from '../harness/unsigned-store-proxy.ts';

const TOKEN = 'kvsc-failure-output-token';

describe('the output of a failing run', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let proxy: FaultProxy;
  beforeAll(async () => {
    server = await startServer({ tokens: [TOKEN] });
    // The store object shows no urlSigningSecretKey: KVS-SIGN-001 fails with a contract violation.
    proxy = await startUnsignedStoreProxy(server.url);
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it('names the rule, the message and the counterexample, with no stack frame of the harness', async () => {
    const out = mkdtempSync(join(tmpdir(), 'kvsc-failure-output-'));
    const { stdout, stderr } = await runCli([
      'run',
      '--target',
      proxy.url,
      '--token',
      TOKEN,
      '--rule',
      'KVS-SIGN-001',
      '--runs',
      '2',
      '--out',
      out,
    ]);
    // eslint-disable-next-line no-control-regex -- the colours of vitest's output
    const text = `${stdout}\n${stderr}`.replace(/\u001b\[[0-9;]*m/g, '');
    expect(text).toContain('[KVS-SIGN-001] the store object shows its owner no urlSigningSecretKey');
    expect(text).toMatch(/Counterexample: \[/);
    // vitest prints a frame as `❯ fn file:line:col`; V8 as `at fn (file:line:col)`.
    expect(text).not.toMatch(/❯ .*:\d+:\d+/);
    expect(text).not.toMatch(/^\s+at .*:\d+:\d+\)?$/m);
    expect(text).not.toMatch(/report-property-failure|harness\/failures|fast-check\.js/);
  });
});
