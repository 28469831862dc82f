import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from '../../server/index.ts';
import { startFaultProxy } from '../../proof/faults/fault-proxy.ts';
import { runCli, spawnCli } from '../../proof/run-cli.ts';

/** The lines of one watch-mode run: from its start up to its summary line. */
function runLines(output: string, run: number): string[] {
  const lines = output.split('\n');
  const end = lines.findIndex(
    (line) => line.startsWith(`run ${run}: PASS`) || line.startsWith(`run ${run}: FAIL`),
  );
  const start = run === 1 ? 0 : lines.findIndex((line) => line.startsWith(`run ${run}: `));
  return lines.slice(start, end + 1);
}

describe('kvs-conformance run --watch', () => {
  it('KVS-SCHEMA-005: runs again on r and on a watched file change, printing only changed verdicts', async () => {
    const server = await startServer();
    let faulty = false;
    // A fault that can be switched on and off between runs: the created store's Location header goes missing.
    const proxy = await startFaultProxy(server.url, (answer) =>
      faulty && answer.status === 201 && answer.path.startsWith('/v2/key-value-stores?')
        ? { ...answer, headers: { ...answer.headers, location: '' } }
        : answer,
    );
    const watched = mkdtempSync(join(tmpdir(), 'kvsc-watch-'));
    // The report folder is inside the watched folder: its writes must not start runs.
    const watch = spawnCli(
      [
        'run',
        '--watch',
        '--watch-path',
        watched,
        '--target',
        proxy.url,
        '--rule',
        'KVS-SCHEMA-005',
        '--runs',
        '3',
        '--out',
        join(watched, 'report'),
      ],
      {},
      { stdin: true },
    );
    const { child } = watch;
    const stdout = (): string => watch.stdout();
    const waitFor = (pattern: RegExp) =>
      expect.poll(stdout, { timeout: 120_000, interval: 100 }).toMatch(pattern);
    try {
      await waitFor(/^run 1: PASS/m);
      expect(runLines(stdout(), 1).filter((line) => /KVS-/.test(line))).toEqual([]);

      faulty = true;
      child.stdin?.write('r\n');
      await waitFor(/^run 2: FAIL/m);
      const second = runLines(stdout(), 2);
      expect(second[0]).toBe('run 2: asked; running again…');
      expect(second.filter((line) => /KVS-/.test(line))).toEqual([
        expect.stringMatching(/^ {2}✗ KVS-SCHEMA-005 \(MUST\) pass → fail: /),
      ]);
      expect(second.at(-1)).toContain('1 verdict(s) changed');

      faulty = false;
      writeFileSync(join(watched, 'server.ts'), '// the server author saves a fix\n');
      await waitFor(/^run 3: PASS/m);
      const third = runLines(stdout(), 3);
      expect(third[0]).toBe('run 3: a watched file changed; running again…');
      expect(third.filter((line) => /KVS-/.test(line))).toEqual([
        expect.stringMatching(/^ {2}✓ KVS-SCHEMA-005 \(MUST\) fail → pass: /),
      ]);

      child.stdin?.write('q\n');
      const { code, stderr } = await watch.done;
      expect(code).toBe(0);
      expect(stdout()).not.toMatch(/^run 4/m);
      expect(stderr).toBe('');
    } finally {
      child.kill();
      await proxy.close();
      await server.close();
    }
  }, 300_000);

  it('keeps watching while the target cannot be reached, and exits 2 when quit then', async () => {
    const watch = spawnCli(['run', '--watch', '--target', 'http://127.0.0.1:9'], {}, { stdin: true });
    const { child } = watch;
    try {
      await expect
        .poll(() => watch.stdout(), { timeout: 120_000, interval: 100 })
        .toMatch(/^run 1: kvs-conformance: KVSC_TARGET_UNREACHABLE: cannot reach http:\/\/127\.0\.0\.1:9/m);
      child.stdin?.write('r\n');
      await expect
        .poll(() => watch.stdout(), { timeout: 120_000, interval: 100 })
        .toMatch(/^run 2: kvs-conformance: KVSC_TARGET_UNREACHABLE/m);
      child.stdin?.write('q\n');
      expect((await watch.done).code).toBe(2);
    } finally {
      child.kill();
    }
  }, 300_000);

  it('refuses a --watch-path that does not exist: one line, exit 2', async () => {
    const missing = join(tmpdir(), 'kvsc-no-such-folder', 'src');
    const result = await runCli(['run', '--watch-path', missing, '--rule', 'KVS-SCHEMA-005']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      `kvs-conformance: KVSC_USAGE: --watch-path ${missing} does not exist; allowed: a file or folder`,
    ]);
  });
});
