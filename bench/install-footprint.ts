// What installing the packed package costs a user: packages installed, those with install scripts,
// size on disk and the wall time of `npm ci --offline` from the local npm cache (the registry is
// not asked, so the time is npm's own work: resolving, extracting, linking). `npm run
// bench:install` builds first; `-- --write` records the result; `-- --runs N` repeats the install.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { installOffline, packPackage } from '../test/package/offline-install.ts';
import { writeResultsSection } from '../proof/write-results-section.ts';

const { values } = parseArgs({ options: { write: { type: 'boolean' }, runs: { type: 'string' } } });
const RUNS = Number(values.runs ?? 3);

interface InstalledLock {
  readonly packages: Record<string, { hasInstallScript?: boolean }>;
}

const base = mkdtempSync(join(tmpdir(), 'kvsc-install-bench-'));
try {
  const packed = await packPackage(base);
  const times: number[] = [];
  let lock: InstalledLock | undefined;
  let diskKiB = 0;
  for (let run = 0; run < RUNS; run++) {
    const project = join(base, `project-${run}`);
    mkdirSync(project);
    const start = process.hrtime.bigint();
    await installOffline(project, packed.tarball);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    lock = JSON.parse(
      readFileSync(join(project, 'node_modules/.package-lock.json'), 'utf8'),
    ) as InstalledLock;
    diskKiB = Number(
      execFileSync('du', ['-sk', join(project, 'node_modules')], { encoding: 'utf8' }).split('\t')[0],
    );
    rmSync(project, { recursive: true, force: true });
  }
  const entries = Object.entries(lock?.packages ?? {}).filter(([path]) => path !== '');
  const scripts = entries
    .filter(([, entry]) => entry.hasInstallScript)
    .map(([path]) => path.replace(/^.*node_modules\//, ''));
  times.sort((a, b) => a - b);
  const body = [
    `Command: \`npm run bench:install\` (${RUNS} installs of the packed tarball into a new project with \`npm ci --offline\`; ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, npm ${execFileSync('npm', ['--version'], { encoding: 'utf8' }).trim()}, load average ${loadavg()[0]?.toFixed(1)} on 2 cores)`,
    '',
    '| packages installed | with an install script | node_modules on disk | install wall (min / median / max) |',
    '| --- | --- | --- | --- |',
    `| ${entries.length} | ${scripts.length === 0 ? 'none' : scripts.join(', ')} | ${(diskKiB / 1024).toFixed(0)} MB | ${times.map((t) => (t / 1000).toFixed(1)).join(' / ')} s |`,
  ].join('\n');
  console.log(body);
  if (values.write) writeResultsSection('install-footprint', 'Install footprint', body);
} finally {
  rmSync(base, { recursive: true, force: true });
}
