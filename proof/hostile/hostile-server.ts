import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { request } from 'undici';

/** A request as the hostile server received it. */
export interface SeenRequest {
  readonly method: string;
  /** Path and query. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** An answer of the correct target, for a behaviour to pass on or rewrite. */
export interface UpstreamAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** What a behaviour sees of the run so far. */
export interface HostileState {
  /** Every request received, in order. */
  readonly seen: SeenRequest[];
  /** Store names the harness asked to create (`POST …?name=`), so listings can echo them. */
  readonly names: Set<string>;
  /** Sends the request to the correct target (the reference server) and returns its answer. */
  forward(request: SeenRequest): Promise<UpstreamAnswer>;
}

/**
 * A misbehaviour: answers the request itself (returning true once it has taken over `res`), or
 * returns false to let the correct target answer.
 */
export type Behaviour = (
  request: SeenRequest,
  res: ServerResponse,
  state: HostileState,
) => boolean | Promise<boolean>;

/** A listening hostile target. */
export interface HostileServer {
  readonly url: string;
  readonly state: HostileState;
  close(): Promise<void>;
}

const HOP_BY_HOP = ['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'date'];

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Sends a complete answer. */
export function answer(
  res: ServerResponse,
  status: number,
  body: Buffer | string,
  headers: Readonly<Record<string, string>> = { 'content-type': 'application/json' },
): true {
  const bytes = Buffer.from(body);
  res.writeHead(status, { ...headers, 'content-length': String(bytes.length) });
  res.end(bytes);
  return true;
}

/**
 * A real HTTP server on 127.0.0.1 that misbehaves as `behaviour` says and otherwise passes every
 * request to `upstream` (a correct target), for the hostile-target table.
 */
export async function startHostileServer(upstream: string, behaviour: Behaviour): Promise<HostileServer> {
  const sockets = new Set<Socket>();
  const state: HostileState = {
    seen: [],
    names: new Set(),
    forward: async (seen) => {
      const response = await request(`${upstream}${seen.path}`, {
        method: seen.method as 'GET',
        headers: Object.fromEntries(
          Object.entries(seen.headers).filter(([name]) => !HOP_BY_HOP.includes(name)),
        ),
        ...(seen.body.length > 0 ? { body: seen.body } : {}),
      });
      return {
        status: response.statusCode,
        headers: Object.fromEntries(
          Object.entries(response.headers)
            .filter(([name]) => !HOP_BY_HOP.includes(name))
            .map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]),
        ),
        body: Buffer.from(await response.body.arrayBuffer()),
      };
    },
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const seen: SeenRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers as Record<string, string>,
      body: await readAll(req),
    };
    state.seen.push(seen);
    const name = new URL(seen.path, 'http://x').searchParams.get('name');
    if (seen.method === 'POST' && name) state.names.add(name);
    if (await behaviour(seen, res, state)) return;
    const upstreamAnswer = await state.forward(seen);
    res.writeHead(upstreamAnswer.status, {
      ...upstreamAnswer.headers,
      'content-length': String(upstreamAnswer.body.length),
    });
    res.end(seen.method === 'HEAD' ? undefined : upstreamAnswer.body);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) answer(res, 502, `hostile server: ${error.message}`, {});
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
