import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a client under test sent to the scripted server. */
export interface ScriptedRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  /** The body as received (not decoded: a retry must repeat it byte for byte). */
  readonly body: string;
  readonly authorization: string | undefined;
}

/** An answer: status, body (JSON-encoded unless a string or Buffer) and headers. */
export type ScriptedAnswer = [number, unknown, Record<string, string>?];

/** Answers the nth request (from 0 since the last `script`). */
export type Script = (request: ScriptedRequest, index: number) => ScriptedAnswer;

/**
 * A local HTTP server on 127.0.0.1 that answers a client under test with scripted answers, for the
 * client-contract checks (KVS-CLIENT): real sockets, so a client in another process (a stdio
 * driver) is served the same way as one in this process.
 */
export interface ScriptedServer {
  /** Origin to give the client, e.g. `http://127.0.0.1:41234`. */
  readonly origin: string;
  /** Replaces the script; returns the list the requests from now on are added to. */
  script(answer: Script): ScriptedRequest[];
  close(): Promise<void>;
}

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    request.on('error', reject);
  });

/** Starts a scripted server; until the first `script`, every request gets a 500. */
export async function startScriptedServer(): Promise<ScriptedServer> {
  let current: { answer: Script; seen: ScriptedRequest[] } = {
    answer: () => [500, { error: { type: 'no-script', message: 'no answer scripted' } }],
    seen: [],
  };
  const server: Server = createServer((request, response) => {
    const target = current;
    void readBody(request).then((body) => {
      const authorization = request.headers.authorization;
      const seen: ScriptedRequest = {
        method: request.method ?? 'GET',
        url: request.url ?? '/',
        body,
        authorization,
      };
      target.seen.push(seen);
      const [status, payload, headers = {}] = target.answer(seen, target.seen.length - 1);
      const bytes =
        Buffer.isBuffer(payload) || typeof payload === 'string'
          ? Buffer.from(payload)
          : Buffer.from(JSON.stringify(payload));
      response.writeHead(status, { ...headers, 'content-length': String(bytes.length) });
      response.end(request.method === 'HEAD' ? undefined : bytes);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    script(answer) {
      current = { answer, seen: [] };
      return current.seen;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
