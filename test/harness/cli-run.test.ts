import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from '../../server/index.ts';
import { editJson, startFaultProxy } from '../../proof/fault-proxy.ts';
import { runCli, spawnCli } from '../../proof/run-cli.ts';

const outDir = () => mkdtempSync(join(tmpdir(), 'kvsc-out-'));

/** Every file under a folder, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const SERVER_TOKEN = 'cli-run-server-token';

async function storeNames(url: string): Promise<string[]> {
  const response = await fetch(`${url}/v2/key-value-stores?unnamed=1`, {
    headers: { authorization: `Bearer ${SERVER_TOKEN}` },
  });
  const body = (await response.json()) as { data: { items: { name: string | null }[] } };
  return body.data.items.map((store) => store.name ?? '(unnamed)');
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
      expect(result.stdout).toMatch(
        /KVS-AUTH-001 \(MUST\): not checked: its tests were skipped \(the run has no token/,
      );
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
      const run = spawnCli([
        'run',
        '--target',
        server.url,
        '--runs',
        '200',
        '--suite',
        'SCHEMA',
        '--out',
        outDir(),
      ]);
      // Waits for the run's first store (seconds after the start); the limit only detects a hang.
      const deadline = Date.now() + 120_000;
      while (
        !(await storeNames(server.url)).some((name) => name.startsWith('kvsc-')) &&
        Date.now() < deadline
      ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect((await storeNames(server.url)).some((name) => name.startsWith('kvsc-'))).toBe(true);
      run.child.kill('SIGINT');
      const result = await run.done;
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('interrupted');
      expect(await storeNames(server.url)).toEqual([]);
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
