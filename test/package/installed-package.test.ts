import { spawn } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readContractCache } from '../../harness/contract/contract-cache.ts';
import { FAULT_MODES, startFaultyTarget } from '../../proof/faults/fault-modes.ts';
import { CI_RUN_ID_VARIABLES } from '../../harness/config/ci-run-seed.ts';
import {
  installOffline,
  packPackage,
  QUIET_NPM_ENV,
  REPO_ROOT,
  type PackedTarball,
} from './offline-install.ts';

// One pack and one install shared by every case (installing is the slow part). Timeouts here
// only detect hangs: they are far above what a loaded 2-core machine needs.
const HANG = 600_000;

/** The uid and gid of `nobody`, the user without write access to the install when tests run as root. */
const NOBODY = 65534;
const runningAsRoot = process.getuid?.() === 0;

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const base = mkdtempSync(join(tmpdir(), 'kvsc-package-'));
// Readable by the other user (mkdtemp makes 0700 folders); only `scratch` is writable for it.
chmodSync(base, 0o755);
const project = join(base, 'project');
const scratch = join(base, 'scratch');
let packed: PackedTarball;

/** Adds or removes the write permission of everyone on a folder and everything in it. */
function setWritable(folder: string, writable: boolean): void {
  for (const path of [
    folder,
    ...readdirSync(folder, { recursive: true, encoding: 'utf8' }).map((p) => join(folder, p)),
  ]) {
    const mode = statSync(path).mode & 0o7777;
    chmodSync(path, writable ? mode | 0o200 : mode & ~0o222);
  }
}

/** Every file under a folder with its size and modification time: the install's state. */
function stateOf(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .map((path) => {
      const stat = statSync(join(folder, path));
      return `${path} ${stat.isDirectory() ? 'dir' : stat.size} ${stat.mtimeMs}`;
    })
    .sort();
}

/**
 * Runs a command in the user's project, as its owner or as a user who cannot write to the install
 * (`nobody` when the tests run as root, else the same user with the install made read-only).
 */
function runInProject(
  command: string,
  args: readonly string[],
  options: { readonly readOnly?: boolean; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<Finished> & { readonly output: () => string; readonly stop: () => void } {
  const ciFree = Object.fromEntries(CI_RUN_ID_VARIABLES.map((name) => [name, '']));
  const home = join(scratch, options.readOnly ? 'reader-home' : 'owner-home');
  // This machine's npm configuration may name settings newer npm versions warn about; not ours to test.
  const { npm_config_nodedir: _nodedir, ...inherited } = process.env;
  const env = {
    ...inherited,
    ...ciFree,
    ...QUIET_NPM_ENV,
    FORCE_COLOR: '0',
    NO_COLOR: '1',
    HOME: home,
    npm_config_cache: join(home, '.npm'),
    ...options.env,
  };
  const [file, argv] =
    options.readOnly && runningAsRoot
      ? ['setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', command, ...args]]
      : [command, args];
  const child = spawn(file, argv, { cwd: project, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // npx's own warnings (about the machine's npm configuration) are not the CLI's output.
  const done = new Promise<Finished>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr: stderr.replace(/^npm warn .*\n/gm, '') })),
  );
  return Object.assign(done, {
    output: () => stdout + stderr,
    // The whole process group: npx and the CLI process it starts.
    stop: () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      } catch (error) {
        // ESRCH: the group has already ended.
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    },
  });
}

/** The program a user writes: an ESM script using the API. */
const API_SCRIPT = `
import { API_VERSION, loadContract, runConformance, startServer } from 'kvs-conformance';

const server = await startServer();
try {
  const report = await runConformance({ target: server.url, token: server.token, runs: 1, suite: ['PAGE'] });
  const contract = await loadContract();
  const { default: schema } = await import('kvs-conformance/report.schema.json', { with: { type: 'json' } });
  console.log('RESULT ' + JSON.stringify({
    api: API_VERSION,
    schemaVersion: report.schemaVersion,
    verdict: report.verdict,
    pass: report.totals.pass,
    mustFail: report.totals.mustFail,
    rules: contract.rules.size,
    schemaTitle: schema.title,
  }));
} finally {
  await server.close();
}
`;

/** The example test of the package's README (package-readme.md), exactly as it shows it. */
function readmeExample(): string {
  const readme = readFileSync(join(REPO_ROOT, 'package-readme.md'), 'utf8');
  const example = /<!-- api-example:start -->\s*```ts\n([\s\S]*?)```\s*<!-- api-example:end -->/.exec(
    readme,
  )?.[1];
  if (!example) throw new Error('package-readme.md has no api-example block');
  return example;
}

const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;

beforeAll(async () => {
  mkdirSync(project);
  mkdirSync(scratch, { mode: 0o777 });
  chmodSync(scratch, 0o777);
  packed = await packPackage(base);
  await installOffline(project, packed.tarball);
  writeFileSync(join(project, 'use-api.mjs'), API_SCRIPT);
  mkdirSync(join(project, 'test'));
  writeFileSync(join(project, 'test', 'kvs-conformance.test.ts'), readmeExample());
  // A user's strict TypeScript setup, to check the package's declarations serve the example.
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        module: 'nodenext',
        target: 'es2023',
        types: [],
        skipLibCheck: true,
      },
      include: ['test'],
    }),
  );
  // A client maintainer's driver in TypeScript, checked against the declarations themselves
  // (skipLibCheck off): the driver kit's types and helpers from the package root.
  mkdirSync(join(project, 'driver'));
  writeFileSync(join(project, 'driver', 'my-driver.ts'), CONSUMER_DRIVER);
  writeFileSync(
    join(project, 'tsconfig.driver.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        module: 'nodenext',
        target: 'es2023',
        types: ['node'],
        typeRoots: [join(REPO_ROOT, 'node_modules/@types')],
        skipLibCheck: false,
      },
      include: ['driver'],
    }),
  );
}, HANG);

/** A consumer's driver module written from the package's .d.ts files: it must type-check. */
const CONSUMER_DRIVER = `import {
  isClientDriver,
  toKeysPage,
  type DriverFactoryContext,
  type KeysPage,
  type KvsDriver,
  type KvsDriverFactory,
} from 'kvs-conformance';

export const createDriver: KvsDriverFactory = (context: DriverFactoryContext): KvsDriver => {
  const page: KeysPage = toKeysPage({ items: [], count: 0, limit: 10, isTruncated: false });
  const driver = {
    name: 'mine',
    info: { name: 'mine', package: 'my-client', version: '1.0.0', transport: 'http' },
    listKeys: () => Promise.resolve(page),
    context,
  } as unknown as KvsDriver;
  if (!isClientDriver(driver.info)) throw new Error('not a client driver');
  return driver;
};
`;

// The install is about 70 MB; it goes when the file is done (after the read-only cases restored it).
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('the package', () => {
  it('packs exactly the allowlist: the build of the shipped folders, spec/, bin, the report schema and the docs', () => {
    const shipped = ['api', 'cli', 'runner', 'generators', 'harness', 'reports', 'server', 'suites'];
    const sources = shipped.flatMap((folder) =>
      readdirSync(join(REPO_ROOT, folder), { recursive: true, encoding: 'utf8' })
        .filter((path) => path.endsWith('.ts'))
        .map((path) => join(folder, path).replace(/\.ts$/, '')),
    );
    const build = sources.flatMap((path) => [`dist/${path}.js`, `dist/${path}.js.map`, `dist/${path}.d.ts`]);
    // …and the shipped contract as the build checked it (scripts/write-contract-cache.mjs).
    expect(packed.files.filter((path) => path.startsWith('dist/'))).toEqual(
      [...build, 'dist/contract-cache.json'].sort(),
    );
    expect(packed.files.filter((path) => !path.startsWith('dist/'))).toMatchInlineSnapshot(`
      [
        "CHANGELOG.md",
        "LICENSE",
        "README.md",
        "bin/kvs-conformance.js",
        "docs/client-drivers.md",
        "docs/findings/apify-client-empty-record.md",
        "docs/findings/apify-client-record-key-not-encoded.md",
        "docs/findings/apify-storage-local-content-type.md",
        "docs/findings/crawlee-memory-storage-concurrent-get-or-create.md",
        "docs/findings/crawlee-memory-storage-key-order.md",
        "docs/findings/storage-emulators-cursor.md",
        "docs/findings/storage-emulators-rename.md",
        "docs/rules.json",
        "docs/rules.md",
        "docs/stdio-drivers.md",
        "examples/driver-template.mjs",
        "examples/github-actions/kvs-conformance.yml",
        "package.json",
        "reports/conformance-report.schema.json",
        "reports/consistency-report.schema.json",
        "spec/expected-deviations.yaml",
        "spec/openapi.yaml",
        "spec/overlay.yaml",
        "spec/profiles.yaml",
        "spec/rules.yaml",
      ]
    `);
  });

  it('ships every finding page the shipped deviation manifest links to', () => {
    const manifest = readFileSync(join(REPO_ROOT, 'spec/expected-deviations.yaml'), 'utf8');
    // A link may point at a section of its page (#fragment): the page is what must ship.
    const links = [...manifest.matchAll(/^\s*link:\s*([^\s#]+)/gm)].map((match) => match[1]);
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((link) => !packed.files.includes(link ?? ''))).toEqual([]);
  });

  it('ships the contract cache made from exactly the spec files it ships', () => {
    const installed = join(project, 'node_modules/kvs-conformance');
    const specFiles = ['openapi.yaml', 'overlay.yaml', 'rules.yaml', 'profiles.yaml'].map((name) =>
      join(installed, 'spec', name),
    );
    expect(readContractCache(specFiles, join(installed, 'dist/contract-cache.json'))).toBeDefined();
  });

  it('ships vitest (which runs the suites) as a dependency and installs no tsx', () => {
    const manifest = JSON.parse(
      readFileSync(join(project, 'node_modules/kvs-conformance/package.json'), 'utf8'),
    ) as {
      dependencies: Record<string, string>;
    };
    expect(Object.keys(manifest.dependencies)).toContain('vitest');
    expect(Object.keys(manifest.dependencies)).not.toContain('tsx');
    expect(readdirSync(join(project, 'node_modules'))).not.toContain('tsx');
  });

  it('installs no package with an install script: the optional peers (containers, storage emulators) stay out', () => {
    const installed = JSON.parse(readFileSync(join(project, 'node_modules/.package-lock.json'), 'utf8')) as {
      packages: Record<string, { hasInstallScript?: boolean }>;
    };
    const withScripts = Object.entries(installed.packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([path]) => path);
    expect(withScripts).toEqual([]);
    const names = Object.keys(installed.packages).map((path) => path.replace(/^.*node_modules\//, ''));
    for (const optional of ['testcontainers', '@crawlee/memory-storage', '@apify/storage-local', 'ssh2'])
      expect(names).not.toContain(optional);
  });
});

// Its cases run two at a time (the project's maxConcurrency): each one's own output folder, and
// nothing of theirs writes into the install.
describe.concurrent('the installed CLI and API, as the owner of the install', () => {
  it(
    'npx kvs-conformance --version prints the package version',
    async () => {
      const result = await runInProject('npx', ['kvs-conformance', '--version']);
      expect(result).toMatchObject({ code: 0, stdout: `${version}\n` });
    },
    HANG,
  );

  it(
    'npx kvs-conformance contract describes the shipped contract',
    async () => {
      const result = await runInProject('npx', ['kvs-conformance', 'contract']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^contract \S+openapi\.yaml \(version /);
      expect(result.stdout).toMatch(/^rules: \d+ \(/m);
    },
    HANG,
  );

  it(
    'npx kvs-conformance run passes against the embedded server (exit 0) and writes the reports',
    async () => {
      const out = join(scratch, 'owner-run');
      const result = await runInProject('npx', ['kvs-conformance', 'run', '--runs', '2', '--out', out]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/kvs-conformance: PASS — \d+ of \d+ rules passed, 0 failed/);
      expect(readdirSync(out).sort()).toEqual(['junit.xml', 'report.html', 'report.json', 'summary.md']);
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
        schemaVersion: string;
        run: { seedSource: string };
      };
      expect(report).toMatchObject({ schemaVersion: '3.1.0', run: { seedSource: 'random' } });
    },
    HANG,
  );

  it(
    'a feature whose optional package is absent says which package and version to install, in one line',
    async () => {
      const peers = (
        JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
          peerDependencies: Record<string, string>;
        }
      ).peerDependencies;
      const cases: [string[], string][] = [
        [['--driver', 'crawlee-memory-storage'], '@crawlee/memory-storage'],
        [['--target-image', 'kvs-conformance:absent', '--target-port', '8080'], 'testcontainers'],
      ];
      for (const [flags, name] of cases) {
        const result = await runInProject('npx', [
          'kvs-conformance',
          'run',
          ...flags,
          '--out',
          join(scratch, name),
        ]);
        expect(result.code).toBe(2);
        expect(result.stderr.trim().split('\n')).toEqual([
          expect.stringContaining(
            `needs ${name}, which is not installed — install it with npm i -D ${name}@${peers[name]}`,
          ),
        ]);
      }
    },
    HANG,
  );

  it(
    'a matrix with no --driver runs the installed built-in drivers and names each one left out with its install command',
    async () => {
      const result = await runInProject('npx', [
        'kvs-conformance',
        'matrix',
        '--rule',
        'KVS-RECORD-001',
        '--runs',
        '2',
        '--out',
        join(scratch, 'matrix-default'),
      ]);
      expect(result.code).toBe(0);
      const leftOut = result.stderr.split('\n').filter((line) => line.startsWith('matrix: left out'));
      expect(leftOut).toEqual([
        expect.stringContaining(
          '--driver crawlee-memory-storage: it needs @crawlee/memory-storage (npm i -D @crawlee/memory-storage@',
        ),
        expect.stringContaining('--driver crawlee-memory-storage:persist: it needs @crawlee/memory-storage'),
        expect.stringContaining(
          '--driver apify-storage-local: it needs @apify/storage-local (npm i -D @apify/storage-local@',
        ),
      ]);
      const matrix = JSON.parse(readFileSync(join(scratch, 'matrix-default', 'matrix.json'), 'utf8')) as {
        drivers: { name: string }[];
      };
      expect(matrix.drivers.map((driver) => driver.name.replace(/@.*/, ''))).toEqual([
        'http',
        'apify-client',
      ]);
    },
    HANG,
  );

  it(
    'replay gives every recorded case of a report its own verdict (the suites load again for each case)',
    async () => {
      // Under node_modules Vite left the suite files to Node, which evaluates a module once per
      // process: every case after the first collected no test and was NOT RUN.
      const token = 'installed-replay-token';
      const mode = FAULT_MODES.find((candidate) => candidate.name === 'keys-last-cursor-omitted');
      if (!mode) throw new Error('test bug: no fault mode keys-last-cursor-omitted');
      const target = await startFaultyTarget(mode, token);
      try {
        const out = join(scratch, 'replay-cases');
        const env = { APIFY_TOKEN: token };
        const flags = ['--target', target.url, '--rule', 'KVS-KEYS-005', '--runs', '2', '--seed', '3'];
        const run = await runInProject('npx', ['kvs-conformance', 'run', ...flags, '--out', out], { env });
        expect(run.code, run.stderr).toBe(1);
        const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
          rules: { id: string; failures: { test: string }[] }[];
        };
        const cases = report.rules.find((rule) => rule.id === 'KVS-KEYS-005')?.failures ?? [];
        expect(cases.length).toBeGreaterThan(1);
        const replay = await runInProject(
          'npx',
          ['kvs-conformance', 'replay', join(out, 'report.json'), '--rule', 'KVS-KEYS-005'],
          { env },
        );
        expect(replay.code, replay.stdout + replay.stderr).toBe(1);
        const verdicts = replay.stdout.split('\n').filter((line) => /^ {2}[A-Z][A-Z ]+ {2}KVS-/.test(line));
        expect(verdicts).toEqual(cases.map((failure) => `  STILL FAILING  KVS-KEYS-005  “${failure.test}”`));
      } finally {
        await target.close();
      }
    },
    HANG,
  );

  it(
    'npx kvs-conformance serve answers the API with its token until stopped',
    async () => {
      const serve = runInProject('npx', ['kvs-conformance', 'serve', '--port', '0', '--token', 'user-token']);
      try {
        const url = await new Promise<string>((resolve, reject) => {
          const poll = setInterval(() => {
            const found = /listening on (http:\/\/\S+)/.exec(serve.output())?.[1];
            if (found) {
              clearInterval(poll);
              resolve(found);
            }
          }, 50);
          void serve.then(() => {
            clearInterval(poll);
            reject(new Error(`serve exited: ${serve.output()}`));
          });
        });
        const listing = await fetch(`${url}/v2/key-value-stores`, {
          headers: { authorization: 'Bearer user-token' },
        });
        expect(listing.status).toBe(200);
        expect((await fetch(`${url}/v2/key-value-stores`)).status).toBe(401);
        serve.stop();
        await serve;
        await expect(fetch(`${url}/v2/key-value-stores`)).rejects.toThrow();
      } finally {
        serve.stop();
      }
    },
    HANG,
  );

  it(
    'import { runConformance, startServer, loadContract } works in an ESM script',
    async () => {
      const result = await runInProject('node', ['use-api.mjs']);
      expect(result.code).toBe(0);
      const line = result.stdout.split('\n').find((text) => text.startsWith('RESULT '));
      expect(JSON.parse(line?.slice('RESULT '.length) ?? 'null')).toMatchObject({
        api: version,
        schemaVersion: '3.1.0',
        verdict: 'PASS',
        mustFail: 0,
        schemaTitle: expect.stringContaining('schema 3.1.0') as unknown,
      });
    },
    HANG,
  );

  it(
    "a consumer's TypeScript driver type-checks against the package's declarations (skipLibCheck off)",
    async () => {
      const tsc = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
      const typecheck = await runInProject(process.execPath, [tsc, '-p', 'tsconfig.driver.json']);
      expect(typecheck.stdout + typecheck.stderr).toBe('');
      expect(typecheck.code).toBe(0);
    },
    HANG,
  );

  it(
    'the shipped driver template runs as it is: its KEYS and CLIENT rules pass through it',
    async () => {
      const result = await runInProject('npx', [
        'kvs-conformance',
        'run',
        '--driver',
        'node_modules/kvs-conformance/examples/driver-template.mjs',
        '--suite',
        'KEYS',
        '--suite',
        'CLIENT',
        '--runs',
        '2',
        '--out',
        join(scratch, 'template-out'),
      ]);
      expect(result.stdout).toMatch(/kvs-conformance: PASS/);
      expect(result.code).toBe(0);
    },
    HANG,
  );

  it(
    "the README's example passes as a vitest test of the user's project, and type-checks",
    async () => {
      const tsc = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
      const typecheck = await runInProject(process.execPath, [tsc, '-p', 'tsconfig.json']);
      expect(typecheck.stdout + typecheck.stderr).toBe('');
      const result = await runInProject('npx', ['vitest', 'run', 'test/kvs-conformance.test.ts']);
      expect(result.code).toBe(0);
      expect(stripVTControlCharacters(result.stdout)).toMatch(/Tests\s+1 passed \(1\)/);
    },
    HANG,
  );
});

describe('the installed CLI and API, as a user who cannot write to the install', () => {
  const packageDir = (): string => join(project, 'node_modules', 'kvs-conformance');
  let before: string[];

  beforeAll(() => {
    before = stateOf(packageDir());
    if (!runningAsRoot) setWritable(packageDir(), false);
  });
  afterAll(() => {
    if (!runningAsRoot) setWritable(packageDir(), true);
    // Nothing was written into the package, by any case of this file.
    expect(stateOf(packageDir())).toEqual(before);
  });

  it(
    'npx kvs-conformance run passes against the embedded server (exit 0)',
    async () => {
      const out = join(scratch, 'reader-run');
      const result = await runInProject('npx', ['kvs-conformance', 'run', '--runs', '2', '--out', out], {
        readOnly: true,
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/kvs-conformance: PASS — \d+ of \d+ rules passed, 0 failed/);
    },
    HANG,
  );

  it(
    'import { runConformance, startServer } works in an ESM script',
    async () => {
      const result = await runInProject('node', ['use-api.mjs'], { readOnly: true });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^RESULT .*"verdict":"PASS"/m);
    },
    HANG,
  );

  it(
    'an --out it cannot write to is one line with exit 2',
    async () => {
      const result = await runInProject(
        'npx',
        ['kvs-conformance', 'run', '--out', relative(project, packageDir())],
        {
          readOnly: true,
        },
      );
      expect(result.code).toBe(2);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(
        /KVSC_USAGE: --out node_modules\/kvs-conformance: it cannot be written to \(EACCES\)/,
      );
    },
    HANG,
  );
});
