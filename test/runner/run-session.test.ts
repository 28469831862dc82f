// The run session is the one place a run is composed: it resolves the options, loads the contract
// the options name, mints the embedded server's token once, starts the target and stops it on every
// exit path (issue 24: "one run session").
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ResolvedRunOptions } from '../../harness/config/run-options.ts';
import { HarnessError } from '../../harness/errors.ts';
import { runSession, type RunSessionSetup } from '../../runner/run-session.ts';

/** A stand-in for the embedded server: records how it was started and whether it was stopped. */
function fakeEmbeddedServer() {
  const started: ResolvedRunOptions[] = [];
  let closed = 0;
  const start: RunSessionSetup['startEmbeddedServer'] = (_contract, options) => {
    started.push(options);
    return Promise.resolve({ url: 'http://127.0.0.1:9', close: () => Promise.resolve(void closed++) });
  };
  return { start, started, closed: () => closed };
}

describe('runSession', () => {
  it('mints one token for the embedded server, hands it to the run, and stops the server after', async () => {
    const server = fakeEmbeddedServer();
    const notes: string[] = [];
    const seen = await runSession(
      {
        sources: { flags: {}, env: {} },
        out: 'scratch',
        startEmbeddedServer: server.start,
        hooks: { notify: (line) => notes.push(line) },
      },
      (session) =>
        Promise.resolve({ token: session.options.token, target: session.target, out: session.out }),
    );
    expect(server.started).toHaveLength(1);
    expect(seen?.token).toMatch(/^kvsc-[0-9a-f]{24}$/);
    expect(server.started[0]?.token).toBe(seen?.token);
    expect(seen?.target).toMatchObject({ url: 'http://127.0.0.1:9', embedded: true });
    expect(notes).toEqual([
      'kvs-conformance: no --target given; started the embedded reference server at http://127.0.0.1:9',
    ]);
    expect(server.closed()).toBe(1);
    // The scratch folder goes with the session.
    expect(existsSync(seen?.out ?? '')).toBe(false);
  });

  it('stops the embedded server and removes its scratch folder when the run throws', async () => {
    const server = fakeEmbeddedServer();
    let out = '';
    const failed = runSession(
      { sources: { flags: {}, env: {} }, out: 'scratch', startEmbeddedServer: server.start },
      (session) => {
        out = session.out;
        return Promise.reject(new Error('the run broke'));
      },
    );
    await expect(failed).rejects.toThrow('the run broke');
    expect(server.closed()).toBe(1);
    expect(out).not.toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('with a target given, starts nothing and mints no token', async () => {
    const server = fakeEmbeddedServer();
    const seen = await runSession(
      {
        sources: { flags: { target: 'http://127.0.0.1:1/v2/' }, env: {} },
        out: 'scratch',
        startEmbeddedServer: server.start,
      },
      (session) => Promise.resolve({ token: session.options.token, target: session.target }),
    );
    expect(server.started).toHaveLength(0);
    expect(seen?.token).toBeUndefined();
    expect(seen?.target).toMatchObject({ url: 'http://127.0.0.1:1', embedded: false });
  });

  it('loads the base document the options name (--spec) before it starts any target', async () => {
    const server = fakeEmbeddedServer();
    const run = runSession(
      {
        sources: { flags: { spec: 'no-such-dir/openapi.yaml' }, env: {} },
        out: 'scratch',
        startEmbeddedServer: server.start,
      },
      () => Promise.resolve('ran'),
    );
    await expect(run).rejects.toThrow(HarnessError);
    await expect(run).rejects.toMatchObject({ code: 'KVSC_SPEC_UNREADABLE' });
    expect(server.started).toHaveLength(0);
  });

  it('refuses bad options with the resolver’s message before it starts anything', async () => {
    const server = fakeEmbeddedServer();
    const run = runSession(
      {
        sources: { flags: { target: 'not a url' }, env: {} },
        out: 'scratch',
        startEmbeddedServer: server.start,
      },
      () => Promise.resolve('ran'),
    );
    await expect(run).rejects.toMatchObject({ code: 'KVSC_USAGE' });
    expect(server.started).toHaveLength(0);
  });
});
