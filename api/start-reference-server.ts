import { mintToken } from '../runner/mint-token.ts';
import { startServer, type ServerOptions } from '../server/index.ts';

/** Options of the reference server started through the API: those of `serve`, with one token. */
export interface ReferenceServerOptions extends Omit<ServerOptions, 'tokens' | 'backend'> {
  /** The API token the server accepts (default: a generated one). */
  readonly token?: string;
}

/** A running reference server: where it listens, the token it accepts, and how to stop it. */
export interface ReferenceServer {
  /** The base URL, e.g. `http://127.0.0.1:40123` (without `/v2`). */
  readonly url: string;
  readonly token: string;
  close(): Promise<void>;
}

/**
 * Starts the reference Key-Value Store API server in this process (the `kvs-conformance serve`
 * server), on a free loopback port unless `port`/`host` say otherwise, accepting one token.
 */
export async function startReferenceServer(options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const { token = mintToken(), ...serverOptions } = options;
  const server = await startServer({ ...serverOptions, tokens: [token] });
  return { url: server.url, token, close: () => server.close() };
}
