// `npm run prove`: the harness proves itself, rule by rule. Every fault mode declares the rules it
// targets and counts as detected only when one of them fails (other failing rules are collateral);
// a client fault (a broken client driver module, checked by a default `run --driver <module>`, the
// run its maintainer would make) only when one fails through its driver; every rule of the catalog must be killed by at least one fault; the clean
// reference server must pass (SHOULD rules included) in both profiles over many seeds; the twelve
// client bug classes must each be caught on every seed of a sweep (bug-class-sweep.ts). Prints a
// table per rule and per fault and the totals; `--write` puts them into bench/RESULTS.md. Exit 1
// unless every fault is detected, every rule is killed, there is no false positive and no bug class
// is missed on any seed. The flags: USAGE below (`npm run prove -- --help`).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeResultsSection } from './write-results-section.ts';
import { loadContract } from '../harness/index.ts';
import type { ConformanceReport } from '../reports/index.ts';
import {
  bugClassSeeds,
  judgeBugClasses,
  BUG_CLASS_FAULTS,
  BUG_CLASS_TARGETS,
} from './faults/bug-class-sweep.ts';
import { isClientFault } from './faults/client-fault.ts';
import { CLIENT_FAULTS, FAULT_MODES } from './faults/fault-modes.ts';
import { runCli } from './run-cli.ts';
import {
  detectClientFault,
  detectFault,
  type DetectionScope,
  type FaultDetection,
} from './faults/detect-fault.ts';

const USAGE = `npm run prove [-- flags]
  (no flags)          every fault on its target rules (25 runs); 20 seeds × 2 profiles clean (5 runs);
                      the client bug classes over 20 seeds
  --fast              every fault on its target rules only (10 runs), 2 seeds × 2 profiles, 2 bug-class seeds
  --fault NAME        one fault (repeatable); --rule ID: the faults targeting a rule (faults only)
  --only PART         only the faults, the clean sweep or the bug classes (faults, clean, bug-classes; repeatable)
  --scope areas       run each fault on its targets' areas (all: the whole suite), for more collateral
  --clean-seeds N, --clean-runs N   size of the clean sweep (seeds per profile, runs per property)
  --bug-class-seeds N size of the bug-class sweep
  --seed N            the fault runs' seed (default 1)
  --write             put the tables into bench/RESULTS.md`;

const { values } = parseArgs({
  options: {
    help: { type: 'boolean', short: 'h' },
    fast: { type: 'boolean' },
    fault: { type: 'string', multiple: true },
    rule: { type: 'string', multiple: true },
    scope: { type: 'string' },
    write: { type: 'boolean' },
    seed: { type: 'string' },
    'clean-seeds': { type: 'string' },
    'clean-runs': { type: 'string' },
    'bug-class-seeds': { type: 'string' },
    only: { type: 'string', multiple: true },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const PARTS = ['faults', 'clean', 'bug-classes'] as const;
const wrongPart = (values.only ?? []).find((part) => !(PARTS as readonly string[]).includes(part));
if (wrongPart !== undefined) {
  console.error(`prove: --only ${wrongPart} is not one of ${PARTS.join(', ')}`);
  process.exit(2);
}
const SCOPES: readonly DetectionScope[] = ['targets', 'areas', 'all'];
const scope = (values.scope ?? 'targets') as DetectionScope;
if (!SCOPES.includes(scope)) {
  console.error(`prove: --scope ${values.scope} is not one of ${SCOPES.join(', ')}`);
  process.exit(2);
}
const runs = values.fast ? 10 : 25;
const seed = Number(values.seed ?? 1);
const cleanRuns = Number(values['clean-runs'] ?? (values.fast ? runs : 5));
const cleanSeedCount = Number(values['clean-seeds'] ?? (values.fast ? 2 : 20));
const cleanSeeds = Array.from({ length: cleanSeedCount }, (_, i) => 1000 + i);
const contract = await loadContract();
// Server faults run against a faulty target; client faults are driver modules, each run by a default `run --driver`.
const ALL_FAULTS = [...FAULT_MODES, ...CLIENT_FAULTS];
const unknown = [
  ...(values.fault ?? []).filter((name) => !ALL_FAULTS.some((mode) => mode.name === name)),
  ...(values.rule ?? []).filter((id) => !contract.rules.has(id as never)),
];
if (unknown.length > 0) {
  console.error(
    `prove: unknown fault mode or rule ${unknown.join(', ')}; fault modes: ${ALL_FAULTS.map((mode) => mode.name).join(', ')}`,
  );
  process.exit(2);
}
const partial = values.fault !== undefined || values.rule !== undefined;
/** The parts this run makes: a --fault/--rule selection runs those faults only. */
const selected = (part: (typeof PARTS)[number]): boolean =>
  values.only ? values.only.includes(part) : !partial || part === 'faults';
const modes = !selected('faults')
  ? []
  : partial
    ? ALL_FAULTS.filter(
        (mode) => values.fault?.includes(mode.name) || mode.targets.some((id) => values.rule?.includes(id)),
      )
    : ALL_FAULTS;
const bugSeeds = selected('bug-classes')
  ? bugClassSeeds(Number(values['bug-class-seeds'] ?? (values.fast ? 2 : 20)))
  : [];

/** Runs tasks two at a time (one per core). */
async function inPairs<T, R>(items: readonly T[], task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += 2)
    results.push(...(await Promise.all(items.slice(i, i + 2).map(task))));
  return results;
}

const median = (numbers: readonly number[]): number | undefined => {
  const sorted = [...numbers].sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};
const show = (value: number | undefined | null): string =>
  value === undefined || value === null ? '—' : String(value);

const started = Date.now();
// The faults and the clean sweep run side by side, each two processes at a time.
const detecting = inPairs(modes, async (mode) => {
  const detection = isClientFault(mode)
    ? await detectClientFault(mode, { runs, seed, scope })
    : await detectFault(mode, { runs, seed, scope });
  console.log(
    `${detection.detected ? '✓' : '✗'} ${mode.name}: ${detection.killedTargets.join(', ') || 'target not failed'}${detection.collateral.length > 0 ? ` (+ ${detection.collateral.join(', ')})` : ''}`,
  );
  return detection;
});
const profiles: [string, string[]][] = [
  ['strong', []],
  ['eventual (window 2 s, server staleness 200 ms)', ['--consistency', 'eventual', '--window', '2s']],
];
const cleaning = !selected('clean')
  ? Promise.resolve([])
  : inPairs(
      profiles.flatMap(([profile, flags]) => cleanSeeds.map((cleanSeed) => ({ profile, flags, cleanSeed }))),
      async ({ profile, flags, cleanSeed }) => {
        const out = mkdtempSync(join(tmpdir(), 'kvsc-clean-'));
        const result = await runCli([
          'run',
          '--seed',
          String(cleanSeed),
          '--runs',
          String(cleanRuns),
          '--out',
          out,
          ...flags,
        ]);
        let failedRules: string[];
        try {
          const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ConformanceReport;
          failedRules = report.rules.filter((rule) => rule.verdict === 'fail').map((rule) => rule.id);
        } catch {
          failedRules = [`(no report: exit ${result.code})`];
        }
        return { profile, seed: cleanSeed, failedRules };
      },
    );

const [detections, clean] = await Promise.all([detecting, cleaning]);
// The bug-class matrices (13 drivers each) run after the rest, two at a time.
const bugClasses = await inPairs(bugSeeds, async (bugSeed) => {
  const verdict = await judgeBugClasses(bugSeed);
  console.log(
    `${verdict.misjudged.length === 0 ? '✓' : '✗'} bug classes, seed ${bugSeed}: ${verdict.failingCells} failing cells${verdict.misjudged.length > 0 ? `; ${verdict.misjudged.join('; ')}` : ''}`,
  );
  return verdict;
});
const bugClassMisses = bugClasses.filter((verdict) => verdict.misjudged.length > 0);

// Per rule: the faults that target it and kill it.
const ruleRows = [...contract.rules.values()]
  .filter(
    (rule) =>
      (!partial && selected('faults')) ||
      modes.some((mode) => (mode.targets as readonly string[]).includes(rule.id)),
  )
  .map((rule) => {
    const aimed = detections.filter((d) => (d.mode.targets as readonly string[]).includes(rule.id));
    const killers = aimed.filter((d) => d.killedTargets.includes(rule.id));
    const runsUntil = killers.flatMap((d) => (d.runsUntilDetection === null ? [] : [d.runsUntilDetection]));
    const sizes = killers.flatMap((d) => (d.counterexampleChars === null ? [] : [d.counterexampleChars]));
    return {
      rule,
      killed: killers.length > 0,
      line: `| ${rule.id} | ${rule.level} | ${killers.map((d) => d.mode.name).join(', ') || (aimed.length > 0 ? `**none** (${aimed.map((d) => d.mode.name).join(', ')} missed)` : '**no fault targets it**')} | ${show(median(runsUntil))} / ${show(runsUntil.length > 0 ? Math.max(...runsUntil) : undefined)} | ${show(median(sizes))} | ${killers.reduce((sum, d) => sum + d.collateral.length, 0)} |`,
    };
  });
const faultRow = (d: FaultDetection): string =>
  `| ${d.mode.name} | ${d.mode.targets.join(', ')} | ${d.mode.narrow ? 'narrow' : 'broad'} | ${d.detected ? 'yes' : '**NO**'} | ${show(d.runsUntilDetection)} | ${show(d.counterexampleChars)} | ${show(d.shrinks)} | ${d.collateral.join(', ') || '—'} | ${d.mode.bug} |`;

const detected = detections.filter((d) => d.detected);
const allRuns = detected.flatMap((d) => (d.runsUntilDetection === null ? [] : [d.runsUntilDetection]));
const narrow = modes.filter((mode) => mode.narrow).length;
const killedRules = ruleRows.filter((row) => row.killed).length;
const falsePositives = clean.filter((run) => run.failedRules.length > 0);
const scopeText = {
  targets: 'each fault run on its target rules only (--rule)',
  areas: "each fault run on its targets' rule areas (--suite)",
  all: 'each fault run on the whole suite',
}[scope];
const shownArgs = process.argv.slice(2).filter((arg) => arg !== '--write');
const table = [
  `Command: \`npm run prove${shownArgs.length > 0 ? ` -- ${shownArgs.join(' ')}` : ''}\` (${detections.length > 0 ? `${runs} runs per property, fault seed ${seed}, ${scopeText}; ` : ''}${new Date().toISOString().slice(0, 10)}, Node ${process.version}, 2 cores; ${((Date.now() - started) / 1000).toFixed(0)} s)`,
  '',
  ...(detections.length > 0
    ? [
        `**Rules killed by a fault that targets them: ${killedRules}/${ruleRows.length}.** Faults detected on a target rule: ${detected.length}/${detections.length} (${narrow} narrow: they show only for some inputs). Runs until detection over detected faults: median ${show(median(allRuns))}, max ${show(allRuns.length > 0 ? Math.max(...allRuns) : undefined)}.`,
      ]
    : []),
  ...(clean.length > 0
    ? [
        `**False positives: ${falsePositives.length}** over ${clean.length} clean runs of the whole suite against the reference server (${cleanSeeds.length} seeds × ${profiles.map(([p]) => p).join(' and ')}, ${cleanRuns} runs per property; any failed rule counts, SHOULD included).`,
        ...falsePositives.map((run) => `- ${run.profile} seed ${run.seed}: ${run.failedRules.join(', ')}`),
      ]
    : []),
  ...(bugClasses.length > 0
    ? [
        `**Client bug classes missed: ${bugClassMisses.length}** over ${bugClasses.length} seeds (${bugSeeds[0]} + 7919·i): one matrix run per seed, the ${BUG_CLASS_FAULTS.length} planted bugs and the honest driver template on their ${BUG_CLASS_TARGETS.length} target rules, 1 run per property; every bug must fail each of its targets through its own driver and the template pass them all. Failing cells per seed (the breadth of the kill): ${bugClasses.map((verdict) => `${verdict.seed}: ${verdict.failingCells}`).join(', ')}.`,
        ...bugClassMisses.map((verdict) => `- seed ${verdict.seed}: ${verdict.misjudged.join('; ')}`),
      ]
    : []),
  ...(detections.length > 0
    ? [
        '',
        '### Per rule',
        '',
        '| rule | level | killed by | runs until detection (median / max) | shrunk counterexample (chars, median) | collateral (failing rules not targeted) |',
        '|---|---|---|---|---|---|',
        ...ruleRows.map((row) => row.line),
        '',
        '### Per fault mode',
        '',
        '| fault mode | targets | kind | detected | runs until detection | shrunk counterexample (chars) | shrinks | collateral | the bug |',
        '|---|---|---|---|---|---|---|---|---|',
        ...detections.map(faultRow),
      ]
    : []),
].join('\n');
console.log(`\n${table}`);

if (values.write) writeResultsSection('prove', 'Fault detection (the harness proving itself)', table);
process.exitCode =
  detected.length === detections.length &&
  killedRules === ruleRows.length &&
  falsePositives.length === 0 &&
  bugClassMisses.length === 0
    ? 0
    : 1;
