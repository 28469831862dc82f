// Other clients on the same server never decide a verdict (issue #21: KVS-PAGE-005 failed while
// another shard created stores). Two shards of one run go side by side against one reference
// server while a third client keeps creating and deleting stores of its own; both shards pass,
// and the store-list rules are judged (not left "not checked").
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../../server/index.ts';
import { runCli } from '../../proof/run-cli.ts';
import type { ConformanceReport } from '../../reports/index.ts';

const TOKEN = 'shared-target-token';
const server = await startServer({ tokens: [TOKEN] });
afterAll(() => server.close());

/** Another client of the server: creates a store of its own, now and then deletes its oldest. */
function neighbour(): { stop(): Promise<number> } {
  let running = true;
  let made = 0;
  const headers = { authorization: `Bearer ${TOKEN}` };
  const loop = (async () => {
    const ids: string[] = [];
    while (running) {
      const created = await fetch(`${server.url}/v2/key-value-stores?name=neighbour-${made}`, {
        method: 'POST',
        headers,
      });
      ids.push(((await created.json()) as { data: { id: string } }).data.id);
      made += 1;
      if (ids.length > 3) {
        const oldest = ids.shift();
        await fetch(`${server.url}/v2/key-value-stores/${oldest}`, { method: 'DELETE', headers });
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return made;
    },
  };
}

describe('two shards side by side on one server, with another client at work', () => {
  it('both shards pass; the store-list rules are judged on their own stores only', async () => {
    const other = neighbour();
    const outs = [1, 2].map(() => mkdtempSync(join(tmpdir(), 'kvsc-shared-')));
    const flags = (shard: number): string[] => [
      'run',
      '--target',
      server.url,
      '--token',
      TOKEN,
      '--seed',
      '5',
      '--runs',
      '5',
      '--shard',
      `${shard}/2`,
      '--out',
      outs[shard - 1] ?? '',
    ];
    const [one, two] = await Promise.all([runCli(flags(1)), runCli(flags(2))]);
    const made = await other.stop();
    expect(made).toBeGreaterThan(3);
    const reports = outs.map(
      (out) => JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ConformanceReport,
    );
    const lines = [one, two].map((result) =>
      result.stdout.split('\n').filter((l) => /✗|⏸|\[KVS-|^kvs-conformance: /.test(l)),
    );
    // The failed rules and their first failure, named, if any.
    expect(lines.flat().filter((line) => /✗|\[KVS-/.test(line))).toEqual([]);
    expect([one.code, two.code]).toEqual([0, 0]);
    const page = reports
      .flatMap((report) => report.rules)
      .filter((rule) => rule.area === 'PAGE' && rule.verdict !== 'skipped');
    expect([...new Set(page.map((rule) => `${rule.id} ${rule.verdict}`))].sort()).toEqual(
      ['001', '002', '003', '004', '005', '006', '007', '008'].map((n) => `KVS-PAGE-${n} pass`),
    );
  });
});
