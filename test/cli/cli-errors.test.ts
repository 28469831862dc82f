import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CI_RUN_ID_VARIABLES } from '../../harness/config/ci-run-seed.ts';
import { runCli } from '../../proof/run-cli.ts';

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'kvsc-cli-errors-'));
/** The environment of a run outside CI: no variable a CI run id could come from. */
const outsideCi = Object.fromEntries(CI_RUN_ID_VARIABLES.map((name) => [name, '']));

/** Each row: a mistake a user makes, the arguments (run in a fresh folder) and what the error must say. */
const rows: { mistake: string; args: (dir: string) => string[]; says: RegExp }[] = [
  {
    mistake: '--out names a file, not a folder',
    args: (dir) => {
      writeFileSync(join(dir, 'a-file'), '');
      return ['run', '--out', join(dir, 'a-file')];
    },
    says: /KVSC_USAGE: --out \S+a-file: it is not a folder \(EEXIST\); allowed: a folder you can write to/,
  },
  {
    mistake: '--out cannot be created (not even by root)',
    args: () => ['run', '--out', '/sys/kvsc-out'],
    says: /KVSC_USAGE: --out \/sys\/kvsc-out: it cannot be written to \(EPERM\)/,
  },
  {
    mistake: 'report --merge of a folder that holds no report',
    args: (dir) => ['report', '--merge', dir, '--out', join(dir, 'merged')],
    says: /KVSC_USAGE: \S+report\.json does not exist; give a report\.json or the folder a run wrote it to/,
  },
  {
    mistake: 'a misspelt key in the config file',
    args: (dir) => {
      writeFileSync(
        join(dir, 'kvs-conformance.config.json'),
        JSON.stringify({ tagret: 'http://127.0.0.1:9' }),
      );
      return ['run', '--config', join(dir, 'kvs-conformance.config.json'), '--out', dir];
    },
    says: /config file \S+ has the unknown key "tagret"; known keys: target, token, profile, settings, seed/,
  },
  {
    mistake: '--shard without --seed outside CI',
    args: (dir) => ['run', '--shard', '1/2', '--out', dir],
    says: /--shard 1\/2 needs a seed all shards share: pass the same --seed N .*GITHUB_RUN_ID/,
  },
  {
    mistake: 'a misspelt flag',
    args: () => ['run', '--tagret', 'http://127.0.0.1:9'],
    says: /error: unknown option '--tagret' \(Did you mean --target\?\)/,
  },
  {
    mistake: 'a misspelt command',
    args: () => ['rnu'],
    says: /error: unknown command 'rnu' \(Did you mean run\?\)/,
  },
  {
    mistake: 'an unknown command with --help (not the top-level help)',
    args: () => ['client', '--help'],
    says: /error: unknown command 'client'/,
  },
];

describe('every CLI error is one line with exit 2', () => {
  it.each(rows)('$mistake', async ({ args, says }) => {
    const result = await runCli(args(tempDir()), outsideCi);
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(says);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
