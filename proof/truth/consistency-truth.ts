import {
  drawLag,
  lagCdf,
  parseLagDistribution,
  seededRandom,
  type LagDistribution,
} from '../../server/index.ts';
import { spawnCli } from '../run-cli.ts';
import { truthDistance } from './visibility-truth.ts';

/** A reference server with a known consistency behaviour, to measure `bench consistency` against. */
export interface TruthCase {
  readonly name: string;
  /** `serve` flags of the case (besides port and seed). */
  readonly serveArgs: readonly string[];
  /** The overwrite lag the server draws from, when the case has one. */
  readonly overwriteLag?: string;
}

/** The lag below which a share `p` of draws falls (bisection on the distribution function). */
export function lagQuantile(lag: LagDistribution, p: number): number {
  let low = 0;
  let high = 1;
  while (lagCdf(lag, high) < p) high *= 2;
  for (let step = 0; step < 60; step += 1) {
    const middle = (low + high) / 2;
    if (lagCdf(lag, middle) >= p) high = middle;
    else low = middle;
  }
  return high;
}

/**
 * The first seed from `from` on whose first `trials` overwrite lags are within `tolerance` of F on
 * the probe grid. The server draws one lag per overwrite from one seeded stream (seededRandom), so
 * the multiset of true lags of a run is known in advance whatever order the trials take; picking
 * the seed keeps sampling noise out of a check that is about the measurement.
 */
export function pickSeed(
  spec: string,
  trials: number,
  resolutionMs: number,
  tolerance: number,
  from = 1,
): { readonly seed: number; readonly samplingKs: number } {
  const lag = parseLagDistribution(spec);
  for (let seed = from; seed < from + 10_000; seed += 1) {
    const random = seededRandom(seed);
    const draws = Array.from({ length: trials }, () => drawLag(lag, random));
    // The grid sees a lag L at the first slot at or after it.
    const onGrid = draws.map((draw) => Math.ceil(draw / resolutionMs) * resolutionMs);
    const { ksFromAck } = truthDistance(onGrid, [], lag, resolutionMs);
    if (ksFromAck <= tolerance) return { seed, samplingKs: ksFromAck };
  }
  throw new Error(`no seed within ${tolerance} for ${spec} and ${trials} trials`);
}

/** A `kvs-conformance serve` child process. */
export interface TruthServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts `kvs-conformance serve --port 0 …args` and resolves once it listens. */
export async function startTruthServer(args: readonly string[]): Promise<TruthServer> {
  const server = spawnCli(['serve', '--port', '0', ...args]);
  const [, url = ''] = await server.waitForStdout(/listening on (http:\/\/\S+)/, 60_000);
  return {
    url,
    stop: async () => {
      server.child.kill('SIGTERM');
      await server.done;
    },
  };
}
