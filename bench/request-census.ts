// Benchmark: where a default run's requests go. Runs `kvs-conformance run` against its embedded
// reference server with bench/request-census-preload.ts loaded into the CLI process, which counts
// every request the server receives by method and route; prints those counts, the stores the run
// created (its cleanup line), its wall time and, from report.json when the code writes it, the
// requests per rule. `--root DIR` runs another built checkout (the code before a change) with the
// same counting, so before and after are measured in one sitting; `--seed N` (default 7) and any
// arguments after `--` go to `run`.
// Run: npm run bench:requests [-- --root /tmp/before] [-- --write] (refreshes bench/RESULTS.md).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeResultsSection } from '../proof/write-results-section.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const PRELOAD = join(HERE, 'request-census-preload.ts');

const { values, positionals } = parseArgs({
  options: {
    root: { type: 'string', multiple: true },
    seed: { type: 'string', default: '7' },
    write: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});

/** One measured run of one checkout. */
interface Census {
  readonly root: string;
  readonly byRoute: ReadonlyMap<string, number>;
  readonly total: number;
  readonly storesCreated: number | undefined;
  readonly wallMs: number;
  readonly verdict: string;
  readonly perRule: readonly (readonly [string, number])[];
}

async function census(root: string): Promise<Census> {
  const out = mkdtempSync(join(tmpdir(), 'kvsc-census-'));
  const countsFile = join(out, 'census.jsonl');
  const args = [
    '--import',
    'tsx',
    '--import',
    PRELOAD,
    join(root, 'bin/kvs-conformance.js'),
    'run',
    '--seed',
    values.seed,
    '--out',
    out,
    ...positionals,
  ];
  const started = performance.now();
  const stdout = await new Promise<string>((done, fail) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, KVSC_CENSUS_FILE: countsFile },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    child.on('error', fail);
    child.on('close', () => done(text));
  });
  const wallMs = performance.now() - started;
  const byRoute = new Map<string, number>();
  if (existsSync(countsFile))
    for (const line of readFileSync(countsFile, 'utf8').split('\n').filter(Boolean))
      for (const [route, count] of Object.entries(
        (JSON.parse(line) as { counts: Record<string, number> }).counts,
      ))
        byRoute.set(route, (byRoute.get(route) ?? 0) + count);
  const created = /cleanup: (\d+) store\(s\) created/.exec(stdout)?.[1];
  const verdict = /^kvs-conformance: ((?:PASS|FAIL|INCOMPLETE).*)$/m.exec(stdout)?.[1] ?? '(no verdict line)';
  const reportFile = join(out, 'report.json');
  const report = existsSync(reportFile)
    ? (JSON.parse(readFileSync(reportFile, 'utf8')) as { rules: { id: string; requests?: number }[] })
    : undefined;
  const perRule = (report?.rules ?? [])
    .flatMap((rule): [string, number][] => (rule.requests ? [[rule.id, rule.requests]] : []))
    .sort((a, b) => b[1] - a[1]);
  return {
    root,
    byRoute,
    total: [...byRoute.values()].reduce((sum, count) => sum + count, 0),
    storesCreated: created === undefined ? undefined : Number(created),
    wallMs,
    verdict,
    perRule,
  };
}

const roots = (values.root ?? [fileURLToPath(new URL('..', import.meta.url))]).map((root) => resolve(root));
const results: Census[] = [];
for (const root of roots) results.push(await census(root));

const routes = [...new Set(results.flatMap((result) => [...result.byRoute.keys()]))].sort();
const lines = [
  `Command: \`node --import tsx bench/request-census.ts --seed ${values.seed}${roots.length > 1 || values.root ? roots.map((root) => ` --root ${root}`).join('') : ''}${positionals.length ? ` -- ${positionals.join(' ')}` : ''}\` (${new Date().toISOString().slice(0, 10)}, Node ${process.version}; requests counted at the embedded server).`,
  '',
  `| method and route | ${results.map((result) => result.root).join(' | ')} |`,
  `|---|${results.map(() => '---:').join('|')}|`,
  ...routes.map(
    (route) => `| ${route} | ${results.map((result) => result.byRoute.get(route) ?? 0).join(' | ')} |`,
  ),
  `| **total** | ${results.map((result) => `**${result.total}**`).join(' | ')} |`,
  `| stores created | ${results.map((result) => result.storesCreated ?? '?').join(' | ')} |`,
  `| wall time of the run | ${results.map((result) => `${(result.wallMs / 1000).toFixed(1)} s`).join(' | ')} |`,
  `| verdict | ${results.map((result) => result.verdict).join(' | ')} |`,
];
const last = results.at(-1);
if (last && last.perRule.length > 0)
  lines.push(
    '',
    `Requests per rule (${last.root}, report.json; a test citing several rules counts for each), most first:`,
    '',
    last.perRule
      .slice(0, 15)
      .map(([id, count]) => `${id} ${count}`)
      .join(' · '),
  );
const body = lines.join('\n');
console.log(body);
if (values.write) writeResultsSection('requests', 'Requests per default run', body);
