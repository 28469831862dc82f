import { once } from 'node:events';
import { Option, type Command } from 'commander';
import { HarnessError } from '../harness/errors.ts';
import { ServerOptionError, startServer, type ServerOptions } from '../server/index.ts';
import { collect, oneOf, wholeNumber } from './parse-flag.ts';

interface ServeFlags {
  port: number;
  host: string;
  storage: string;
  token?: string[];
  consistency: 'strong' | 'eventual';
  staleMs?: number;
  staleDistribution: 'fixed' | 'uniform';
  maxRecordBytes?: number;
  payloadLimitCounts: 'encoded' | 'decoded';
  publicUrl?: string;
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
    .option('--max-record-bytes <n>', 'record payload limit in bytes (default 9437184)', wholeNumber(1))
    .option(
      '--payload-limit-counts <c>',
      'encoded or decoded bytes count against the limit',
      oneOf(['encoded', 'decoded'] as const),
      'encoded',
    )
    .option('--public-url <url>', 'base URL for Location headers and public URLs')
    .action(async (flags: ServeFlags) => {
      const options: ServerOptions = {
        port: flags.port,
        host: flags.host,
        storage: flags.storage,
        tokens: flags.token ?? [],
        consistency: {
          mode: flags.consistency,
          distribution: flags.staleDistribution,
          ...(flags.staleMs === undefined ? {} : { staleMs: flags.staleMs }),
        },
        payloadLimitCounts: flags.payloadLimitCounts,
        ...(flags.maxRecordBytes === undefined ? {} : { maxRecordBytes: flags.maxRecordBytes }),
        ...(flags.publicUrl === undefined ? {} : { publicUrl: flags.publicUrl }),
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
      console.log(
        `kvs-conformance serve: listening on ${server.url} (storage ${flags.storage}, ${flags.consistency}, ${auth})`,
      );
      await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
      await server.close();
    });
}
