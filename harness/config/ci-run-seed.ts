import { createHash } from 'node:crypto';

/**
 * Variables holding an id that every job of one CI run (pipeline, workflow, build) shares, and
 * that a re-run of some of its jobs keeps: GitHub Actions, GitLab CI, CircleCI, Buildkite, Azure
 * Pipelines, Jenkins, Travis CI, Bitbucket Pipelines, Semaphore.
 */
export const CI_RUN_ID_VARIABLES = [
  'GITHUB_RUN_ID',
  'CI_PIPELINE_ID',
  'CIRCLE_WORKFLOW_ID',
  'BUILDKITE_BUILD_ID',
  'BUILD_BUILDID',
  'BUILD_TAG',
  'TRAVIS_BUILD_ID',
  'BITBUCKET_PIPELINE_UUID',
  'SEMAPHORE_WORKFLOW_ID',
] as const;

/** A seed derived from a CI run's id, and the variable it came from. */
export interface CiRunSeed {
  readonly seed: number;
  readonly variable: (typeof CI_RUN_ID_VARIABLES)[number];
}

/**
 * The seed the shards of one CI run agree on without being told: a hash of the run's id (the
 * first variable of CI_RUN_ID_VARIABLES that is set) into fast-check's seed range [0, 2^31).
 */
export function ciRunSeed(env: NodeJS.ProcessEnv): CiRunSeed | undefined {
  const variable = CI_RUN_ID_VARIABLES.find((name) => (env[name] ?? '') !== '');
  if (variable === undefined) return undefined;
  const digest = createHash('sha256')
    .update(`${variable}=${env[variable] ?? ''}`)
    .digest();
  return { seed: digest.readUInt32BE(0) & 0x7fff_ffff, variable };
}
