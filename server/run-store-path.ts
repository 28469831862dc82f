import { ApiError } from './api-error.ts';

const RUNS = '/v2/actor-runs/';
const ALIAS = '/key-value-store';

/**
 * The store path an alias path stands for: `/v2/actor-runs/{runId}/key-value-store…` is the run's
 * default store, `/v2/key-value-stores/{storeId}…`. Any other path is returned as it is. An alias
 * of a run the server does not know is 404 record-not-found; another path under a run is 404
 * page-not-found (the server has no runs beyond their stores).
 */
export function runStorePath(pathname: string, runStores: ReadonlyMap<string, string>): string {
  if (!pathname.startsWith(RUNS)) return pathname;
  const rest = pathname.slice(RUNS.length);
  const slash = rest.indexOf('/');
  const tail = slash < 0 ? '' : rest.slice(slash);
  if (tail !== ALIAS && !tail.startsWith(`${ALIAS}/`))
    throw new ApiError(404, 'page-not-found', `There is no API endpoint at ${pathname.slice(0, 200)}.`);
  let runId: string;
  try {
    runId = decodeURIComponent(rest.slice(0, slash));
  } catch {
    throw new ApiError(400, 'invalid-input', 'The run id in the path is not valid percent-encoding.');
  }
  const storeId = runStores.get(runId);
  if (storeId === undefined)
    throw new ApiError(404, 'record-not-found', `The Actor run ${runId.slice(0, 100)} was not found.`);
  return `/v2/key-value-stores/${encodeURIComponent(storeId)}${tail.slice(ALIAS.length)}`;
}
