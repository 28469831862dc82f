import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One step of a GitHub Actions job or composite action, as the YAML holds it. */
export interface ActionStep {
  readonly name?: string;
  readonly id?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly shell?: string;
  readonly with?: Readonly<Record<string, unknown>>;
  readonly env?: Readonly<Record<string, unknown>>;
}

/** What a stand-in for a `uses:` action (or for a replaced step) gets. */
export interface StepContext {
  readonly workspace: string;
  /** The step's `with:` values, expressions substituted. */
  readonly with: Readonly<Record<string, string>>;
  /** Appends a folder to PATH for the next steps, as `$GITHUB_PATH` does. */
  readonly addPath: (folder: string) => void;
}

/** A job to run locally: its steps, the values of its `${{ }}` expressions and the stand-ins. */
export interface LocalJob {
  readonly steps: readonly ActionStep[];
  readonly workspace: string;
  /** Job-level `env:`, expressions substituted by the caller's values. */
  readonly env: Readonly<Record<string, unknown>>;
  /** Values of expressions such as `matrix.shard` or `secrets.KVS_TOKEN`. */
  readonly expressions: Readonly<Record<string, string>>;
  /** Stand-ins for `uses:` actions, by action name without version (e.g. actions/checkout). */
  readonly actions: Readonly<Record<string, (context: StepContext) => void>>;
  /** Stand-ins for `run:` steps that cannot run here, by step id (e.g. installing from the registry). */
  readonly replaced?: Readonly<Record<string, (context: StepContext) => void>>;
  /** Extra environment of every step (e.g. fewer runs per property). */
  readonly extraEnv?: Readonly<Record<string, string>>;
}

/** How a step ended, and what it printed. */
export interface StepResult {
  readonly name: string;
  readonly outcome: 'success' | 'failure' | 'skipped';
  readonly output: string;
}

/** What a locally run job did. */
export interface JobResult {
  readonly steps: readonly StepResult[];
  readonly failed: boolean;
  /** `steps.<id>.outputs.<name>`, as `$GITHUB_OUTPUT` collected them. */
  readonly outputs: Readonly<Record<string, string>>;
  /** What the steps wrote to `$GITHUB_STEP_SUMMARY`. */
  readonly summary: string;
}

/** Replaces every `${{ expression }}` by its value; an expression the test does not know fails it. */
export function substituteExpressions(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) => {
    const value = values[expression];
    if (value === undefined) throw new Error(`no local value for the expression \${{ ${expression} }}`);
    return value;
  });
}

function substituteAll(
  record: Readonly<Record<string, unknown>> | undefined,
  values: Readonly<Record<string, string>>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record ?? {}).map(([key, value]) => [key, substituteExpressions(String(value), values)]),
  );
}

/** Runs a bash script as the runner does (`bash --noprofile --norc -eo pipefail`), in its own process group. */
function runScript(
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; output: string; pid: number }> {
  const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) =>
    child.once('close', (code) => resolve({ code: code ?? 1, output, pid: child.pid ?? 0 })),
  );
}

/**
 * Runs a job's steps in order in a local workspace: `run:` steps in bash with the runner's files
 * (`$GITHUB_OUTPUT`, `$GITHUB_STEP_SUMMARY`, `$GITHUB_PATH`, `$GITHUB_ENV` is not used), `uses:`
 * steps through their stand-ins. After a failed step only `if: always()` steps run, as on GitHub.
 * Processes a step left running (a server started in the background) are stopped at the end.
 */
export async function runJobLocally(job: LocalJob): Promise<JobResult> {
  const runnerDir = join(job.workspace, '.runner');
  mkdirSync(runnerDir, { recursive: true });
  const summaryFile = join(runnerDir, 'step-summary.md');
  writeFileSync(summaryFile, '');
  const paths: string[] = [];
  const expressions: Record<string, string> = { ...job.expressions };
  const outputs: Record<string, string> = {};
  const results: StepResult[] = [];
  const groups: number[] = [];
  const jobEnv = substituteAll(job.env, expressions);
  let failed = false;
  try {
    for (const [index, step] of job.steps.entries()) {
      const name = substituteExpressions(
        step.name ?? step.uses ?? step.id ?? `step ${index + 1}`,
        expressions,
      );
      const condition = step.if?.trim();
      if (condition !== undefined && condition !== 'always()')
        throw new Error(`step "${name}": the local runner knows only if: always(), not ${condition}`);
      if (failed && condition !== 'always()') {
        results.push({ name, outcome: 'skipped', output: '' });
        continue;
      }
      const context: StepContext = {
        workspace: job.workspace,
        with: substituteAll(step.with, expressions),
        addPath: (folder) => paths.unshift(folder),
      };
      const standIn = step.uses
        ? job.actions[step.uses.replace(/@.*$/, '')]
        : step.id
          ? job.replaced?.[step.id]
          : undefined;
      if (step.uses && !standIn) throw new Error(`step "${name}": no local stand-in for ${step.uses}`);
      if (standIn) {
        try {
          standIn(context);
          results.push({ name, outcome: 'success', output: '' });
        } catch (error) {
          failed = true;
          results.push({ name, outcome: 'failure', output: (error as Error).message });
        }
        continue;
      }
      if (step.run === undefined) throw new Error(`step "${name}" has neither run nor uses`);
      if ((step.shell ?? 'bash') !== 'bash') throw new Error(`step "${name}": only bash steps run locally`);
      const outputFile = join(runnerDir, `output-${index}`);
      const pathFile = join(runnerDir, `path-${index}`);
      writeFileSync(outputFile, '');
      writeFileSync(pathFile, '');
      const { APIFY_TOKEN: _dropped, ...inherited } = process.env;
      void _dropped;
      const result = await runScript(substituteExpressions(step.run, expressions), job.workspace, {
        ...inherited,
        ...jobEnv,
        ...substituteAll(step.env, expressions),
        ...job.extraEnv,
        PATH: [...paths, process.env.PATH ?? ''].join(':'),
        CI: 'true',
        GITHUB_ACTIONS: 'true',
        GITHUB_WORKSPACE: job.workspace,
        GITHUB_OUTPUT: outputFile,
        GITHUB_PATH: pathFile,
        GITHUB_STEP_SUMMARY: summaryFile,
        RUNNER_TEMP: runnerDir,
        FORCE_COLOR: '0',
      });
      groups.push(result.pid);
      for (const line of readFileSync(pathFile, 'utf8').split('\n').filter(Boolean)) paths.unshift(line);
      for (const line of readFileSync(outputFile, 'utf8').split('\n')) {
        const match = /^([^=]+)=(.*)$/.exec(line);
        if (match && step.id) {
          expressions[`steps.${step.id}.outputs.${match[1]}`] = match[2] ?? '';
          outputs[`steps.${step.id}.outputs.${match[1]}`] = match[2] ?? '';
        }
      }
      if (result.code !== 0) failed = true;
      results.push({ name, outcome: result.code === 0 ? 'success' : 'failure', output: result.output });
    }
  } finally {
    // The runner ends what the job left running; here each step's process group.
    for (const group of groups) {
      try {
        process.kill(-group, 'SIGTERM');
      } catch {
        // The group has ended already.
      }
    }
  }
  appendFileSync(summaryFile, '');
  return { steps: results, failed, outputs, summary: readFileSync(summaryFile, 'utf8') };
}
