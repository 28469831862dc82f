import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from '../../server/index.ts';
import { editJson, startFaultProxy } from '../../proof/faults/fault-proxy.ts';
import { runCli, spawnCli, type CliProcess } from '../../proof/run-cli.ts';

const outDir = () => mkdtempSync(join(tmpdir(), 'kvsc-out-'));

/** Every file under a folder, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const SERVER_TOKEN = 'cli-run-server-token';

/**
 * Starts a long run (the SCHEMA suite at 200 runs) against `target` and waits until it has journaled
 * at least `count` stores it created (seconds after its start): the run, and those stores' ids. The
 * limit only detects a hang.
 */
async function longRunJournaling(
  target: string,
  out: string,
  count: number,
): Promise<{ run: CliProcess; journaled: string[] }> {
  const run = spawnCli(['run', '--target', target, '--runs', '200', '--suite', 'SCHEMA', '--out', out]);
  const deadline = Date.now() + 120_000;
  let journaled = journaledStoreIds(out);
  while (journaled.length < count && run.child.exitCode === null && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    journaled = journaledStoreIds(out);
  }
  expect(journaled.length, run.output()).toBeGreaterThanOrEqual(count);
  return { run, journaled };
}

/** The stores on a server (unnamed ones too). */
async function storesOf(url: string): Promise<{ id: string; name: string | null }[]> {
  const response = await fetch(`${url}/v2/key-value-stores?unnamed=1`, {
    headers: { authorization: `Bearer ${SERVER_TOKEN}` },
  });
  const body = (await response.json()) as { data: { items: { id: string; name: string | null }[] } };
  return body.data.items;
}

async function storeNames(url: string): Promise<string[]> {
  return (await storesOf(url)).map((store) => store.name ?? '(unnamed)');
}

/** The journal lines of a run (`.created-stores-….jsonl` in its --out), parsed. */
function journalEntries(out: string): { id?: string; deleted?: string }[] {
  return readdirSync(out)
    .filter((name) => name.startsWith('.created-stores-'))
    .flatMap((name) => readFileSync(join(out, name), 'utf8').split('\n'))
    .filter((line) => line.endsWith('}'))
    .map((line) => JSON.parse(line) as { id?: string; deleted?: string });
}

/** The ids in a run's journal of the stores it created. */
function journaledStoreIds(out: string): string[] {
  // Besides the stores, the journal notes its owner, create requests sent and settled, and deletes seen.
  return journalEntries(out).flatMap((entry) => (entry.id === undefined ? [] : [entry.id]));
}

/** The journaled stores the run has not deleted (yet). */
function undeletedStoreIds(out: string): string[] {
  const deleted = new Set(journalEntries(out).flatMap((entry) => entry.deleted ?? []));
  return journaledStoreIds(out).filter((id) => !deleted.has(id));
}

describe('kvs-conformance run', () => {
  it('passes against the embedded reference server (exit 0) and prints the seed', async () => {
    const result = await runCli(['run', '--runs', '3', '--out', outDir()]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/kvs-conformance: PASS — \d+ of \d+ rules passed, 0 failed/);
    expect(result.stdout).toMatch(/seed \d+/);
  });

  it('passes against a separately started server and leaves no store of its own behind', async () => {
    const server = await startServer({ tokens: [SERVER_TOKEN] });
    try {
      const before = await storeNames(server.url);
      const result = await runCli([
        'run',
        '--target',
        server.url,
        '--token',
        SERVER_TOKEN,
        '--runs',
        '3',
        '--out',
        outDir(),
      ]);
      expect(result.code).toBe(0);
      expect(await storeNames(server.url)).toEqual(before);
    } finally {
      await server.close();
    }
  });

  it('without a token the AUTH and SIGN rules are not checked: INCOMPLETE, exit 2, each named with why', async () => {
    const server = await startServer();
    try {
      const result = await runCli([
        'run',
        '--target',
        server.url,
        '--suite',
        'AUTH',
        '--runs',
        '1',
        '--out',
        outDir(),
      ]);
      expect(result.code).toBe(2);
      expect(result.stdout).toMatch(/kvs-conformance: INCOMPLETE — /);
      expect(result.stdout).toMatch(/KVS-AUTH-001 \(MUST\): not checked: the run has no token/);
    } finally {
      await server.close();
    }
  });

  it('fails with exit 1 and names the rule against a faulty target', async () => {
    const server = await startServer();
    const proxy = await startFaultProxy(server.url, (answer) =>
      answer.status === 201 && answer.path.startsWith('/v2/key-value-stores?')
        ? { ...answer, headers: { ...answer.headers, location: '' } }
        : answer,
    );
    try {
      const result = await runCli([
        'run',
        '--target',
        proxy.url,
        '--runs',
        '3',
        '--suite',
        'SCHEMA',
        '--out',
        outDir(),
      ]);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('✗ KVS-SCHEMA-005 (MUST)');
      expect(result.stdout).toMatch(/replay: kvs-conformance replay \S+report\.json --rule KVS-SCHEMA-005/);
    } finally {
      await proxy.close();
      await server.close();
    }
  });

  it('exits 2 with a one-line cause for an unreachable target', async () => {
    const result = await runCli(['run', '--target', 'http://127.0.0.1:9', '--out', outDir()]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('KVSC_TARGET_UNREACHABLE: cannot reach http://127.0.0.1:9');
  });

  it('exits 2 for bad usage, naming the option, the value and what is allowed', async () => {
    const result = await runCli(['run', '--runs', 'many']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('runs (flag) is "many"; allowed: a whole number ≥ 1');
  });

  it('never shows the token: not in stdout, stderr or any file it writes', async () => {
    const token = 'tok-SECRET-4711-do-not-leak';
    const server = await startServer({ tokens: [token] });
    const proxy = await startFaultProxy(server.url, (answer) =>
      answer.method === 'POST' && answer.path.startsWith('/v2/key-value-stores?')
        ? editJson(answer, () => ({ data: { id: 'x' } }))
        : answer,
    );
    const out = outDir();
    try {
      const failing = await runCli([
        'run',
        '--target',
        proxy.url,
        '--token',
        token,
        '--runs',
        '2',
        '--suite',
        'SCHEMA',
        '--out',
        out,
      ]);
      expect(failing.code).toBe(1);
      const passing = await runCli(['run', '--runs', '2', '--suite', 'SCHEMA', '--out', out], {
        APIFY_TOKEN: token,
      });
      expect(passing.code).toBe(0);
      for (const text of [
        failing.stdout,
        failing.stderr,
        passing.stdout,
        passing.stderr,
        ...filesUnder(out).map((file) => readFileSync(file, 'utf8')),
      ]) {
        expect(text).not.toContain(token);
      }
      expect(failing.stdout + failing.stderr).toContain('Bearer $APIFY_TOKEN');
    } finally {
      await proxy.close();
      await server.close();
    }
  });

  it('deletes the stores it created when interrupted with SIGINT', async () => {
    const server = await startServer();
    try {
      const out = outDir();
      // Interrupted once the run has journaled a store it created (seconds after the start).
      const { run, journaled } = await longRunJournaling(server.url, out, 1);
      run.child.kill('SIGINT');
      const result = await run.done;
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('interrupted');
      expect(result.stdout).toMatch(/cleanup: \d+ store\(s\) created by this run, \d+ deleted, 0 left/);
      const remaining = await storesOf(server.url);
      for (const id of journaled) expect(remaining.map((store) => store.id)).not.toContain(id);
      // A suite worker stopped between the target creating a store and the journal line for it
      // (which happens under load) leaves that store: the run reports it, and never deletes what
      // it has no record of making.
      for (const store of remaining)
        expect(result.stdout).toContain(`left "${store.id}": named "${store.name}" with this run's prefix`);
    } finally {
      await server.close();
    }
  });

  it('a run killed outright (SIGKILL) leaves its journal: the next run into that folder deletes its stores, never those of another target or of a run still going', async () => {
    const server = await startServer();
    try {
      const out = outDir();
      const { run: killed } = await longRunJournaling(server.url, out, 1);
      // Killed while it holds stores it has not deleted (a file deletes its stores when it ends).
      const deadline = Date.now() + 120_000;
      while (undeletedStoreIds(out).length < 2 && killed.child.exitCode === null && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      killed.child.kill('SIGKILL');
      await killed.done;
      const leftBehind = (await storesOf(server.url)).map((store) => store.id);
      const journaled = journaledStoreIds(out);
      expect(undeletedStoreIds(out).filter((id) => leftBehind.includes(id)).length).toBeGreaterThan(0);
      const [journal] = readdirSync(out).filter((name) => name.startsWith('.created-stores-'));
      // Two journals that are not this folder's to clean: another target's, and a live run's (this
      // test's own process, on this host).
      const line = (owner: object, id: string) =>
        `${JSON.stringify({ owner })}\n${JSON.stringify({ id, name: null })}\n`;
      writeFileSync(
        join(out, '.created-stores-kvsc-other000.jsonl'),
        line({ target: 'http://127.0.0.1:9', host: hostname(), pid: 1 }, leftBehind[0] ?? ''),
      );
      writeFileSync(
        join(out, '.created-stores-kvsc-alive000.jsonl'),
        line({ target: server.url, host: hostname(), pid: process.pid }, leftBehind[0] ?? ''),
      );
      const next = await runCli(['run', '--target', server.url, '--rule', 'KVS-RECORD-005', '--out', out]);
      expect(next.code, next.stdout + next.stderr).toBe(0);
      expect(next.stdout).toMatch(
        new RegExp(
          `cleanup of an earlier run killed before its own \\(${journal?.replace(/\./g, '\\.')}\\): (\\d+) of its \\1 store\\(s\\) gone, \\d+ left`,
        ),
      );
      expect(next.stdout).toContain(
        'journal .created-stores-kvsc-other000.jsonl left as it is: its stores are on another target (http://127.0.0.1:9)',
      );
      expect(next.stdout).toContain(
        `journal .created-stores-kvsc-alive000.jsonl left as it is: the run that writes it is still going (pid ${process.pid})`,
      );
      // A store the killed run made but had not journaled yet is reported, never deleted by name.
      const remaining = await storesOf(server.url);
      for (const id of journaled) expect(remaining.map((store) => store.id)).not.toContain(id);
      for (const store of remaining)
        expect(next.stdout).toContain(`left "${store.id}": named "${store.name}" with this run's prefix`);
      expect(
        readdirSync(out)
          .filter((name) => name.startsWith('.created-stores-'))
          .sort(),
      ).toEqual(
        // The killed run's journal goes once nothing of it is left; it stays while a store is reported.
        [
          ...(remaining.length > 0 ? [journal] : []),
          '.created-stores-kvsc-alive000.jsonl',
          '.created-stores-kvsc-other000.jsonl',
        ].sort(),
      );
    } finally {
      await server.close();
    }
  });

  it('gives the same verdicts for the same seed', async () => {
    const summary = async () => {
      const result = await runCli(['run', '--seed', '4242', '--runs', '3', '--out', outDir()]);
      return result.stdout.split('\n').find((line) => /^kvs-conformance: (PASS|FAIL|INCOMPLETE)/.test(line));
    };
    expect(await summary()).toBe(await summary());
  });
});
