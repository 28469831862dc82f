import { once } from 'node:events';
import { HarnessError } from '../harness/errors.ts';
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  LAG_KINDS,
  LagSpecError,
  ServerOptionError,
  formatLagDistribution,
  parseLagDistribution,
  startServer,
  type LagDistribution,
  type LagKind,
  type ServerOptions,
} from '../server/index.ts';
import { collect, oneOf, wholeNumber } from './parse-flag.ts';

/** Parses a repeatable `--lag KIND=SPEC` into the lag table. */
function collectLag(
  value: string,
  previous: Partial<Record<LagKind, LagDistribution>> = {},
): Partial<Record<LagKind, LagDistribution>> {
  const at = value.indexOf('=');
  const kind = value.slice(0, at) as LagKind;
  if (at < 0 || !LAG_KINDS.includes(kind)) {
    throw new InvalidArgumentError(`"${value}" is not KIND=SPEC; KIND is one of ${LAG_KINDS.join(', ')}.`);
  }
  try {
    return { ...previous, [kind]: parseLagDistribution(value.slice(at + 1)) };
  } catch (error) {
    if (error instanceof LagSpecError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}

interface ServeFlags {
  port: number;
  host: string;
  storage: string;
  token?: string[];
  consistency: 'strong' | 'eventual';
  staleMs?: number;
  staleDistribution: 'fixed' | 'uniform';
  lag?: Partial<Record<LagKind, LagDistribution>>;
  replicas: number;
  seed?: number;
  maxRecordBytes?: number;
  payloadLimitCounts: 'encoded' | 'decoded';
  publicUrl?: string;
  run?: string[];
}

/** `kvs-conformance serve`: runs the reference server until SIGINT or SIGTERM. */
export function addServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the reference Key-Value Store API server (a local stand-in for the platform)')
    // PORT and HOST as container platforms and compose files set them (see Dockerfile).
    .addOption(
      new Option('--port <n>', 'TCP port; 0 picks a free one')
        .env('PORT')
        .argParser(wholeNumber(0, 65535))
        .default(0),
    )
    .addOption(new Option('--host <host>', 'address to listen on').env('HOST').default('127.0.0.1'))
    .option('--storage <memory|DIR>', 'memory, or a folder for the Apify/Crawlee local layout', 'memory')
    // APIFY_TOKEN, as a compose file or `run --target-env` gives the server the token its clients use.
    .addOption(
      new Option('--token <token>', 'accept this API token (repeatable); without any, no auth')
        .env('APIFY_TOKEN')
        .argParser(collect),
    )
    .option('--consistency <mode>', 'strong or eventual', oneOf(['strong', 'eventual'] as const), 'strong')
    .option(
      '--stale-ms <n>',
      'eventual: how long reads may show the previous state (default 200)',
      wholeNumber(0),
    )
    .option(
      '--stale-distribution <d>',
      'eventual: fixed or uniform in [0, stale-ms]',
      oneOf(['fixed', 'uniform'] as const),
      'fixed',
    )
    .option(
      '--lag <kind=spec>',
      `eventual: lag of one kind of change (repeatable); kinds: ${LAG_KINDS.join(', ')}; ` +
        'spec: fixed:MS, uniform:MAX, uniform:MIN:MAX, exponential:MEAN, or parts joined by + each with @weight',
      collectLag,
    )
    .option(
      '--replicas <n>',
      'eventual: replicas, each read served by a random one with its own lag (2+: non-monotonic reads)',
      wholeNumber(1, 64),
      1,
    )
    .option(
      '--seed <n>',
      'eventual: seed of the lag and replica draws (default: random, printed)',
      wholeNumber(0),
    )
    .option('--max-record-bytes <n>', 'record payload limit in bytes (default 9437184)', wholeNumber(1))
    .option(
      '--payload-limit-counts <c>',
      'encoded or decoded bytes count against the limit',
      oneOf(['encoded', 'decoded'] as const),
      'encoded',
    )
    .option('--public-url <url>', 'base URL for Location headers and public URLs')
    .option(
      '--run <id>',
      'an Actor run id whose default store (made at start) answers at /v2/actor-runs/{id}/key-value-store… (repeatable)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .action(async (flags: ServeFlags) => {
      const options: ServerOptions = {
        port: flags.port,
        host: flags.host,
        storage: flags.storage,
        tokens: flags.token ?? [],
        consistency: {
          mode: flags.consistency,
          distribution: flags.staleDistribution,
          replicas: flags.replicas,
          ...(flags.lag === undefined ? {} : { lags: flags.lag }),
          ...(flags.seed === undefined ? {} : { seed: flags.seed }),
          ...(flags.staleMs === undefined ? {} : { staleMs: flags.staleMs }),
        },
        payloadLimitCounts: flags.payloadLimitCounts,
        ...(flags.maxRecordBytes === undefined ? {} : { maxRecordBytes: flags.maxRecordBytes }),
        ...(flags.publicUrl === undefined ? {} : { publicUrl: flags.publicUrl }),
        ...(flags.run === undefined ? {} : { runs: flags.run }),
      };
      let server;
      try {
        server = await startServer(options);
      } catch (error) {
        const reason =
          error instanceof ServerOptionError ? error.message : `cannot listen: ${(error as Error).message}`;
        throw new HarnessError('KVSC_USAGE', `serve: ${reason}`, { cause: error });
      }
      const auth = options.tokens?.length ? `${options.tokens.length} token(s)` : 'no auth';
      const { consistency } = server.options;
      const lags = LAG_KINDS.flatMap((kind) => {
        const lag = consistency.lags?.[kind];
        return lag ? [`${kind}=${formatLagDistribution(lag)}`] : [];
      }).join(' ');
      const eventual =
        consistency.mode === 'eventual'
          ? ` stale-ms ${consistency.staleMs} ${consistency.distribution}${lags ? ` ${lags}` : ''}, ` +
            `${consistency.replicas ?? 1} replica(s), seed ${consistency.seed ?? '?'}`
          : '';
      console.log(
        `kvs-conformance serve: listening on ${server.url} (storage ${flags.storage}, ${flags.consistency}${eventual}, ${auth})`,
      );
      await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
      await server.close();
    });
}
