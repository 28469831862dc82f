// Benchmark: Dredd (an OpenAPI contract tester, dredd@14) and kvs-conformance against the same
// fault modes, in one run. Dredd is given spec/openapi.yaml with parameter and body examples added
// (it cannot send a request without them) and bench/dredd/hooks.cjs (creates the store and record
// its examples name, adds the token, provokes one 404, one 401 and one oversized body).
// kvs-conformance runs its whole suite. Dredd is installed into a cache folder on first use (npm
// registry). No thresholds; the table goes to bench/RESULTS.md with --write.
//
//   npm run bench:dredd [-- --write] [-- --fault NAME]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import { FAULT_MODES, startFaultyTarget, type FaultMode } from '../proof/faults/fault-modes.ts';
import { detectFault } from '../proof/faults/detect-fault.ts';
import { writeResultsSection } from '../proof/write-results-section.ts';

const { values } = parseArgs({ options: { write: { type: 'boolean' }, fault: { type: 'string' } } });
const root = fileURLToPath(new URL('..', import.meta.url));
const DREDD_VERSION = '14.1.0';
const cache = join(root, 'node_modules', '.cache', 'kvsc-dredd');
const dredd = join(cache, 'node_modules', '.bin', 'dredd');
const TOKEN = 'dredd-token';

if (!existsSync(dredd)) {
  mkdirSync(cache, { recursive: true });
  console.log(`installing dredd@${DREDD_VERSION} into ${cache} …`);
  execFileSync(
    'npm',
    ['install', '--prefix', cache, '--no-audit', '--no-fund', '--loglevel=error', `dredd@${DREDD_VERSION}`],
    { stdio: 'inherit' },
  );
}

/** spec/openapi.yaml with the examples Dredd needs to build requests. */
function dreddSpec(): string {
  const spec = parse(readFileSync(join(root, 'spec', 'openapi.yaml'), 'utf8')) as {
    components: {
      parameters: Record<string, { example?: unknown }>;
      requestBodies: Record<string, unknown>;
      responses: Record<string, unknown>;
    };
    paths: Record<string, Record<string, { requestBody?: unknown }>>;
  };
  spec.components.parameters.storeId!.example = '~dredd-store';
  spec.components.parameters.recordKey!.example = 'dredd-record';
  spec.components.requestBodies.RecordValue = {
    required: true,
    content: { 'text/plain': { schema: { type: 'string' }, example: 'hello' } },
  };
  const storePut = spec.paths['/v2/key-value-stores/{storeId}']!.put as {
    requestBody: { content: Record<string, { example?: unknown }> };
  };
  storePut.requestBody.content['application/json']!.example = { generalAccess: 'RESTRICTED' };
  // Two Dredd limitations that would flag a correct server: it compares the media type exactly
  // (a `charset` parameter fails), and it treats every field of a response example as required.
  // Its copy names the media type with the charset and validates against the schemas only.
  const fixResponses = (
    responses: Record<string, { content?: Record<string, { example?: unknown; examples?: unknown }> }>,
  ): void => {
    for (const response of Object.values(responses)) {
      const json = response.content?.['application/json'];
      if (!response.content || !json) continue;
      delete json.example;
      delete json.examples;
      delete response.content['application/json'];
      response.content['application/json; charset=utf-8'] = json;
    }
  };
  for (const item of Object.values(spec.paths)) {
    for (const operation of Object.values(item))
      fixResponses((operation as { responses?: Record<string, never> }).responses ?? {});
  }
  fixResponses(spec.components.responses as Record<string, never>);
  // It also requires every schema property: drop the optional store fields the reference server
  // never sends, so that only real faults fail.
  const schemas = (
    spec.components as unknown as { schemas: Record<string, { properties: Record<string, unknown> }> }
  ).schemas;
  for (const optional of ['consoleUrl', 'recordsPublicUrl', 'schema'])
    delete schemas.KeyValueStore!.properties[optional];
  delete schemas.KeyValueStoreStats!.properties.s3StorageBytes;
  // Likewise the error envelope's optional `data`, which the reference server's errors leave out.
  delete schemas.ErrorDetail!.properties.data;
  const file = join(mkdtempSync(join(tmpdir(), 'kvsc-dredd-spec-')), 'openapi.yaml');
  writeFileSync(file, stringify(spec));
  return file;
}

/** Runs Dredd against a target; detected = Dredd reported a failure (non-zero exit). */
async function runDredd(spec: string, target: string): Promise<{ detected: boolean; summary: string }> {
  const child = spawn(
    dredd,
    [
      spec,
      target,
      '--hookfiles',
      join(root, 'bench', 'dredd', 'hooks.cjs'),
      '--loglevel',
      'error',
      '--color',
      'false',
    ],
    {
      env: { ...process.env, KVSC_DREDD_TOKEN: TOKEN, KVSC_DREDD_TARGET: target },
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  // Dredd prints request bodies when it fails (the provoked oversized one too): the summary is
  // its count line, or a short note, never its last line of output.
  const summary =
    /complete: (\d+ passing, \d+ failing, \d+ errors)/.exec(output)?.[1] ??
    `ended with exit ${code} and no summary line`;
  return { detected: code !== 0, summary };
}

const spec = dreddSpec();
const clean: FaultMode = { name: '(clean reference server)', targets: [], bug: 'none: a correct server' };
const modes = values.fault ? FAULT_MODES.filter((mode) => mode.name === values.fault) : FAULT_MODES;
const rows: string[] = [];
let dreddDetected = 0;
let harnessDetected = 0;
for (const mode of [clean, ...modes]) {
  const target = await startFaultyTarget(mode, TOKEN);
  let dreddResult;
  try {
    dreddResult = await runDredd(spec, target.url);
  } finally {
    await target.close();
  }
  const harness = mode === clean ? undefined : await detectFault(mode, { runs: 25, seed: 1, scope: 'all' });
  if (mode !== clean && dreddResult.detected) dreddDetected += 1;
  if (harness?.detected) harnessDetected += 1;
  const harnessCell = harness
    ? harness.detected
      ? `yes (${harness.killedTargets.join(', ')})`
      : '**no**'
    : 'pass (exit 0)';
  const dreddCell =
    mode === clean
      ? dreddResult.detected
        ? `**false positive** (${dreddResult.summary})`
        : `pass (${dreddResult.summary})`
      : dreddResult.detected
        ? `yes (${dreddResult.summary})`
        : `no (${dreddResult.summary})`;
  rows.push(`| ${mode.name} | ${mode.targets.join(', ') || '—'} | ${harnessCell} | ${dreddCell} |`);
  console.log(rows.at(-1));
}
const table = [
  `Command: \`npm run bench:dredd\` (dredd ${DREDD_VERSION} with bench/dredd/hooks.cjs; kvs-conformance whole suite, 25 runs per property, seed 1; ${new Date().toISOString().slice(0, 10)}, Node ${process.version})`,
  '',
  '| fault mode | targets | kvs-conformance detected (a target rule failed) | Dredd detected |',
  '|---|---|---|---|',
  ...rows,
  '',
  `**kvs-conformance: ${harnessDetected}/${modes.length} detected. Dredd: ${dreddDetected}/${modes.length} detected.**`,
].join('\n');
console.log(`\n${table}`);
if (values.write) writeResultsSection('dredd', 'Side by side: Dredd on the same fault modes', table);
