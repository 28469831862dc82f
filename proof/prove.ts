// `npm run prove`: the harness proves itself. Every fault mode must be caught under its own rule
// area; the clean reference server must pass in both profiles over many seeds. Prints a table
// (fault × detected, failing rules, runs until detection, counterexample size) and the totals;
// `--write` puts it into bench/RESULTS.md. Exit 1 unless detection is 100 % with 0 false positives.
//
//   npm run prove                    every fault (25 runs per property), 20 seeds × 2 profiles clean
//   npm run prove -- --fast          every fault (10 runs), 2 seeds × 2 profiles clean
//   npm run prove -- --fault NAME    one fault
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeResultsSection } from '../bench/write-results-section.ts';
import { FAULT_MODES } from './fault-modes.ts';
import { runCli } from './run-cli.ts';
import { detectFault, type FaultDetection } from './detect-fault.ts';

const { values } = parseArgs({
  options: {
    fast: { type: 'boolean' },
    fault: { type: 'string' },
    write: { type: 'boolean' },
    seed: { type: 'string' },
  },
});
const runs = values.fast ? 10 : 25;
const seed = Number(values.seed ?? 1);
const cleanSeeds = values.fast ? [1, 2] : Array.from({ length: 20 }, (_, i) => 1000 + i);
const modes = values.fault ? FAULT_MODES.filter((mode) => mode.name === values.fault) : FAULT_MODES;
if (modes.length === 0) {
  console.error(
    `prove: no fault mode named "${values.fault}"; known: ${FAULT_MODES.map((mode) => mode.name).join(', ')}`,
  );
  process.exit(2);
}

/** Runs tasks two at a time (one per core). */
async function inPairs<T, R>(items: readonly T[], task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += 2)
    results.push(...(await Promise.all(items.slice(i, i + 2).map(task))));
  return results;
}

const started = Date.now();
const detections = await inPairs(modes, (mode) => detectFault(mode, { runs, seed }));
const profiles: [string, string[]][] = [
  ['strong', []],
  ['eventual (window 2 s, server staleness 200 ms)', ['--consistency', 'eventual', '--window', '2s']],
];
const clean = values.fault
  ? []
  : await inPairs(
      profiles.flatMap(([profile, flags]) => cleanSeeds.map((cleanSeed) => ({ profile, flags, cleanSeed }))),
      async ({ profile, flags, cleanSeed }) => {
        const result = await runCli([
          'run',
          '--seed',
          String(cleanSeed),
          '--runs',
          String(runs),
          '--out',
          mkdtempSync(join(tmpdir(), 'kvsc-clean-')),
          ...flags,
        ]);
        const failedRules = [...result.stdout.matchAll(/✗ (KVS-[A-Z]+-\d{3})/g)].map(
          (match) => match[1] ?? '',
        );
        return { profile, seed: cleanSeed, passed: result.code === 0, failedRules };
      },
    );

const row = (d: FaultDetection): string =>
  `| ${d.mode.name} | ${d.mode.area} | ${d.detected ? 'yes' : '**NO**'} | ${d.failedRules.join(', ') || '—'} | ${d.runsUntilDetection ?? '—'} | ${d.counterexampleChars ?? '—'} | ${d.mode.bug} |`;
const detectedCount = detections.filter((d) => d.detected).length;
const falsePositives = clean.filter((run) => !run.passed);
const table = [
  `Command: \`npm run prove${values.fast ? ' -- --fast' : ''}${values.fault ? ` -- --fault ${values.fault}` : ''}\` (${runs} runs per property, fault seed ${seed}; ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, 2 cores; ${((Date.now() - started) / 1000).toFixed(0)} s)`,
  '',
  '| fault mode | area | detected | failing rules (own area first) | runs until detection | shrunk counterexample (chars) | the bug |',
  '|---|---|---|---|---|---|---|',
  ...detections.map(row),
  '',
  `**Detection rate: ${detectedCount}/${detections.length} (${((100 * detectedCount) / Math.max(1, detections.length)).toFixed(0)} %), each caught in its own rule area.**`,
  ...(clean.length > 0
    ? [
        `**False positives: ${falsePositives.length}** over ${clean.length} clean runs of the whole suite against the reference server (${cleanSeeds.length} seeds × ${profiles.map(([p]) => p).join(' and ')}).`,
        ...falsePositives.map((run) => `- ${run.profile} seed ${run.seed}: ${run.failedRules.join(', ')}`),
      ]
    : []),
].join('\n');
console.log(table);

if (values.write) writeResultsSection('prove', 'Fault detection (the harness proving itself)', table);
process.exitCode = detectedCount === detections.length && falsePositives.length === 0 ? 0 : 1;
