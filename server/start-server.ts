import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError } from './api-error.ts';
import { identifyCaller } from './caller-auth.ts';
import { ConsistencySimulator } from './consistency-simulator.ts';
import { sendApiError } from './http-response.ts';
import { KeyedMutex } from './keyed-mutex.ts';
import { drainBody } from './request-body.ts';
import { parseRequestTarget } from './request-target.ts';
import { routeRequest } from './route-request.ts';
import { newStoreMeta } from './new-store-meta.ts';
import { runStorePath } from './run-store-path.ts';
import type { ServerContext } from './server-context.ts';
import { resolveServerOptions, type ResolvedServerOptions, type ServerOptions } from './server-options.ts';
import { DirectoryBackend } from './storage/directory-backend.ts';
import { MemoryBackend } from './storage/memory-backend.ts';

/** A listening reference server. */
export interface RunningServer {
  /** The base URL, e.g. `http://127.0.0.1:40123` (without `/v2`). */
  readonly url: string;
  /** The options in force, defaults filled in (e.g. the consistency seed drawn). */
  readonly options: ResolvedServerOptions;
  /** Stops accepting, closes every connection and releases the storage. */
  close(): Promise<void>;
}

/**
 * Routes one request. A handler that answers at once (a record read from memory) returns nothing,
 * so the common read costs no promise; a failure, thrown or rejected, becomes the error answer.
 */
function handle(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): void {
  try {
    const { pathname, query } = parseRequestTarget(req.url ?? '/');
    const caller = identifyCaller(req, query, ctx.options.tokens);
    const route = routeRequest(req.method ?? 'GET', runStorePath(pathname, ctx.runStores));
    const pending = route.handler({
      ctx,
      req,
      res,
      query,
      caller,
      storeId: route.storeId,
      recordKey: route.recordKey,
    });
    if (pending) void pending.catch((thrown: unknown) => answerFailure(req, res, thrown));
  } catch (thrown) {
    void answerFailure(req, res, thrown);
  }
}

/** Answers a failed request: its ApiError, or 500 for anything else (logged). */
async function answerFailure(req: IncomingMessage, res: ServerResponse, thrown: unknown): Promise<void> {
  const head = req.method === 'HEAD';
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const error =
    thrown instanceof ApiError
      ? thrown
      : new ApiError(
          500,
          'internal-server-error',
          'The reference server failed on this request; please report it.',
        );
  if (!(thrown instanceof ApiError)) console.error('kvs-conformance server: unexpected error', thrown);
  if (req.complete) {
    sendApiError(res, error, head);
    return;
  }
  // The body is not (fully) read. An answer that closes the connection is sent after the rest is
  // drained (bounded): Node closes at once after it, and a client still sending would see a reset.
  if (error.headers.connection === 'close') {
    await drainBody(req);
    if (!res.destroyed) sendApiError(res, error, head);
    return;
  }
  // Any other answer goes out now (RFC 9110 §15.5.14: a server may refuse a body it has not read),
  // on a connection kept open: the rest is then read and dropped (bounded), so a client that
  // stops sending once answered costs the server only the bytes already in flight, and one that
  // sends on still reads its answer on a healthy connection. Past the bound it is closed.
  sendApiError(res, error, head);
  if (!(await drainBody(req))) req.socket.destroy();
}

/** Starts the reference server and resolves once it listens. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const resolved = resolveServerOptions(options);
  const backend =
    resolved.backend ??
    (resolved.storage === 'memory' ? new MemoryBackend() : new DirectoryBackend(resolved.storage));
  let baseUrl = '';
  let seq = 0;
  const runStores = new Map<string, string>();
  const ctx: ServerContext = {
    options: resolved,
    backend,
    consistency: options.consistencyModel ?? new ConsistencySimulator(resolved.consistency),
    storeLocks: new KeyedMutex(),
    nameLock: new KeyedMutex(),
    baseUrl: () => baseUrl,
    nextSeq: () => (seq += 1),
    runStores,
  };
  for (const runId of resolved.runs) {
    const meta = newStoreMeta(null, ctx.nextSeq());
    await backend.createStore(meta);
    ctx.consistency.noteStoreCreated(meta.id);
    runStores.set(runId, meta.id);
  }
  const server = createServer((req, res) => void handle(ctx, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  const url = `http://${host}:${port}`;
  baseUrl = resolved.publicUrl ?? url;
  return {
    url,
    options: resolved,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await backend.close();
    },
  };
}
