import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort } from '../container/free-port.ts';
import {
  runJobLocally,
  substituteExpressions,
  type ActionStep,
  type JobResult,
  type StepContext,
} from './local-actions-runner.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'bin', 'kvs-conformance.js');
const REPORT_FILES = ['report.json', 'junit.xml', 'summary.md', 'report.html'];

interface Workflow {
  readonly jobs: Readonly<
    Record<
      string,
      {
        readonly needs?: string;
        readonly if?: string;
        readonly env?: Readonly<Record<string, unknown>>;
        readonly strategy?: { readonly matrix: { readonly shard: readonly number[] } };
        readonly steps: readonly ActionStep[];
      }
    >
  >;
}

interface CompositeAction {
  readonly inputs: Readonly<Record<string, { readonly default?: string }>>;
  readonly outputs: Readonly<Record<string, { readonly value: string }>>;
  readonly runs: { readonly using: string; readonly steps: readonly ActionStep[] };
}

/** Every file under a folder, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Stand-in of `npm install kvs-conformance@…`: this checkout's CLI as the installed bin. */
function installThisCheckout(binDir: string): void {
  mkdirSync(binDir, { recursive: true });
  symlinkSync(CLI, join(binDir, 'kvs-conformance'));
}

/** Stand-ins of the actions the recipe uses: artifacts are folders of one local store. */
function actionStandIns(artifacts: string): Record<string, (context: StepContext) => void> {
  return {
    'actions/checkout': () => undefined,
    'actions/setup-node': () => undefined,
    'actions/upload-artifact': ({ workspace, with: inputs }) => {
      const files = (inputs.path ?? '')
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean);
      const target = join(artifacts, inputs.name ?? 'artifact');
      mkdirSync(target, { recursive: true });
      for (const file of files) {
        // upload-artifact keeps paths below the files' common folder; here they share one.
        if (!existsSync(join(workspace, file))) throw new Error(`upload-artifact: ${file} does not exist`);
        cpSync(join(workspace, file), join(target, basename(file)));
      }
    },
    'actions/download-artifact': ({ workspace, with: inputs }) => {
      const pattern = new RegExp(
        `^${(inputs.pattern ?? '*').replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`,
      );
      for (const name of readdirSync(artifacts).filter((candidate) => pattern.test(candidate)))
        cpSync(join(artifacts, name), join(workspace, inputs.path ?? '.', name), { recursive: true });
    },
  };
}

const failedSteps = (job: JobResult) =>
  job.steps.filter((step) => step.outcome === 'failure').map((step) => `${step.name}: ${step.output}`);

describe('examples/github-actions', () => {
  const workflow = parse(
    readFileSync(join(ROOT, 'examples/github-actions/kvs-conformance.yml'), 'utf8'),
  ) as Workflow;
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as CompositeAction;

  it('the workflow runs locally: 2 shards against a started server, merged, summarised; a MUST failure fails it', async () => {
    const token = 'kvsc-recipe-secret-6f1d2c';
    const runId = '987654321';
    const artifacts = mkdtempSync(join(tmpdir(), 'kvsc-artifacts-'));
    const conformance = workflow.jobs.conformance;
    const report = workflow.jobs.report;
    expect(conformance?.strategy?.matrix.shard).toEqual([1, 2]);
    expect(report).toMatchObject({ needs: 'conformance', if: 'always()' });
    const common = {
      actions: actionStandIns(artifacts),
      replaced: {
        install: ({ workspace }: StepContext) => installThisCheckout(join(workspace, 'node_modules', '.bin')),
      },
      // Fewer generated cases per property than a real CI run: the recipe, not the server, is under test.
      extraEnv: { KVS_CONFORMANCE_RUNS: '3', GITHUB_RUN_ID: runId },
    };
    const workspaces: string[] = [];
    for (const shard of conformance?.strategy?.matrix.shard ?? []) {
      const workspace = mkdtempSync(join(tmpdir(), `kvsc-shard-${shard}-`));
      workspaces.push(workspace);
      const job = await runJobLocally({
        ...common,
        steps: conformance?.steps ?? [],
        workspace,
        // The server listens on a free port here: 8080 may be taken on a shared machine.
        env: { ...conformance?.env, PORT: String(await freePort()) },
        expressions: {
          'matrix.shard': String(shard),
          'github.run_id': runId,
          'secrets.KVS_TOKEN': token,
        },
      });
      expect(failedSteps(job)).toEqual([]);
      expect(readdirSync(join(artifacts, `kvs-conformance-shard-${shard}`)).sort()).toEqual(
        [...REPORT_FILES].sort(),
      );
    }

    const reportJob = (workspace: string) =>
      runJobLocally({
        ...common,
        steps: report?.steps ?? [],
        workspace,
        env: {},
        expressions: { 'github.run_id': runId },
      });
    const mergeWorkspace = mkdtempSync(join(tmpdir(), 'kvsc-merge-'));
    workspaces.push(mergeWorkspace);
    const merged = await reportJob(mergeWorkspace);
    expect(failedSteps(merged)).toEqual([]);
    expect(merged.outputs['steps.merge.outputs.exit-code']).toBe('0');
    const mergedReport = JSON.parse(readFileSync(join(mergeWorkspace, 'merged', 'report.json'), 'utf8')) as {
      verdict: string;
      run: { seed: number };
    };
    expect(mergedReport.verdict).toBe('PASS');
    expect(mergedReport.run.seed).toBe(Number(runId));
    expect(merged.summary.trim()).toBe(
      readFileSync(join(mergeWorkspace, 'merged', 'summary.md'), 'utf8').trim(),
    );
    expect(readdirSync(join(artifacts, 'kvs-conformance-report')).sort()).toEqual([...REPORT_FILES].sort());

    // The token the server was started with appears in no file and no output of the recipe.
    for (const workspace of workspaces)
      for (const file of filesUnder(workspace).filter((path) => !path.includes('node_modules')))
        expect(readFileSync(file, 'utf8'), file).not.toContain(token);
    for (const file of filesUnder(artifacts)) expect(readFileSync(file, 'utf8'), file).not.toContain(token);

    // A MUST failure in one shard fails the report job at its last step, after the summary was written.
    const shardReport = join(artifacts, 'kvs-conformance-shard-1', 'report.json');
    const doctored = JSON.parse(readFileSync(shardReport, 'utf8')) as {
      rules: { level: string; verdict: string }[];
    };
    const mustRule = doctored.rules.find((rule) => rule.level === 'MUST' && rule.verdict === 'pass');
    if (!mustRule) throw new Error('shard 1 passed no MUST rule');
    mustRule.verdict = 'fail';
    writeFileSync(shardReport, JSON.stringify(doctored));
    const failing = await reportJob(mkdtempSync(join(tmpdir(), 'kvsc-merge-fail-')));
    expect(failing.failed).toBe(true);
    expect(failing.outputs['steps.merge.outputs.exit-code']).toBe('1');
    expect(failing.steps.at(-1)).toMatchObject({
      name: 'Fail unless the merged verdict is PASS (or PASS WITH WARNINGS)',
      outcome: 'failure',
    });
    expect(failing.steps.filter((step) => step.outcome === 'failure')).toHaveLength(1);
    expect(failing.summary).toContain('FAIL');
  }, 600_000);

  it('the composite action runs locally: inputs in, verdict and report path out', async () => {
    expect(action.runs.using).toBe('composite');
    const workspace = mkdtempSync(join(tmpdir(), 'kvsc-action-'));
    const given: Record<string, string> = { args: '--suite PAGE --runs 3', out: 'conformance' };
    const inputs = Object.fromEntries(
      Object.entries(action.inputs).map(([name, input]) => [
        `inputs.${name}`,
        given[name] ?? substituteExpressions(input.default ?? '', { 'github.run_id': '4242' }),
      ]),
    );
    const job = await runJobLocally({
      steps: action.runs.steps,
      workspace,
      env: {},
      expressions: inputs,
      actions: {},
      replaced: {
        install: ({ workspace: dir, addPath }) => {
          const bin = join(dir, '.runner', 'kvs-conformance', 'node_modules', '.bin');
          installThisCheckout(bin);
          addPath(bin);
        },
      },
      extraEnv: { GITHUB_ACTION_PATH: dirname(CLI).replace(/\/bin$/, '') },
    });
    expect(failedSteps(job)).toEqual([]);
    const outputs = Object.fromEntries(
      Object.entries(action.outputs).map(([name, output]) => [
        name,
        substituteExpressions(output.value, job.outputs),
      ]),
    );
    expect(outputs).toEqual({ verdict: 'PASS', report: 'conformance/report.json' });
    const written = JSON.parse(readFileSync(join(workspace, 'conformance', 'report.json'), 'utf8')) as {
      run: { seed: number };
    };
    expect(written.run.seed).toBe(4242);
    expect(job.summary).toContain('PASS');
  }, 300_000);
});
