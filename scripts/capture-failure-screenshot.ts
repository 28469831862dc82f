// `npm run docs:screenshot`: runs the RECORD suite against a faulty target from proof/ (records lose
// their Content-Type), then keeps what a user gets from a failing run under docs/: a screenshot of
// report.html taken with headless Chromium, and the head of summary.md (verdict and failed rules).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAULT_MODES, startFaultyTarget } from '../proof/faults/fault-modes.ts';
import { runCli } from '../proof/run-cli.ts';
import { ensureChromium, headlessFlags } from './ensure-chromium.ts';

const FAULT = 'record-content-type-lost';
const TOKEN = 'screenshot-token';
const docs = fileURLToPath(new URL('../docs/', import.meta.url));
const temp = (label: string): string => mkdtempSync(join(tmpdir(), `kvsc-${label}-`));

const chromium = ensureChromium();
if (!('path' in chromium)) throw new Error(`cannot take the screenshot: ${chromium.reason}`);
const mode = FAULT_MODES.find((candidate) => candidate.name === FAULT);
if (!mode) throw new Error(`fault mode ${FAULT} is not in proof/faults/fault-modes.ts`);

const out = temp('screenshot-run');
const target = await startFaultyTarget(mode, TOKEN);
try {
  const run = await runCli([
    'run',
    ...['--target', target.url, '--token', TOKEN, '--suite', 'RECORD', '--runs', '10', '--seed', '3'],
    ...['--out', out],
  ]);
  if (run.code !== 1) throw new Error(`expected a failing run (exit 1), got ${run.code}:\n${run.stderr}`);
} finally {
  await target.close();
}

const screenshot = join(docs, 'failure-report.png');
execFileSync(
  chromium.path,
  [
    ...headlessFlags(temp('chromium')),
    '--hide-scrollbars',
    '--window-size=1280,2000',
    `--screenshot=${screenshot}`,
    `file://${join(out, 'report.html')}`,
  ],
  { timeout: 120_000, stdio: 'ignore' },
);
console.log(`wrote ${screenshot}`);

// The summary down to the end of the failed rules and their sources; the target's port varies per run.
const summary = readFileSync(join(out, 'summary.md'), 'utf8');
const excerpt = summary
  .slice(0, summary.indexOf('\n### Rules'))
  .replace(/http:\/\/127\.0\.0\.1:\d+/g, 'http://127.0.0.1:PORT')
  .replace(/ · [\d.]+ s/, ' · N s')
  .replace(/replay \S+\/report\.json/g, 'replay kvs-conformance-report/report.json');
writeFileSync(join(docs, 'failure-summary.md'), `${excerpt.trimEnd()}\n`);
console.log(`wrote ${join(docs, 'failure-summary.md')}`);
