import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { request } from 'undici';

/** An upstream answer as the proxy saw it, for a fault to rewrite. */
export interface ProxiedAnswer {
  readonly method: string;
  /** Path and query of the request. */
  readonly path: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** What a fault does with an answer: rewrite it, drop the connection, or never answer. */
export type FaultAction = ProxiedAnswer | 'reset' | 'hang';

/** A fault: one realistic server bug, applied to every answer it matches. */
export type Fault = (answer: ProxiedAnswer) => FaultAction;

/** A listening fault proxy. */
export interface FaultProxy {
  readonly url: string;
  close(): Promise<void>;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A real HTTP server on 127.0.0.1 in front of a correct target (the reference server) that applies
 * a fault to the answers: the harness's own tests point the harness at it and expect the fault to
 * be caught under the right rule.
 */
export async function startFaultProxy(upstream: string, fault: Fault): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readAll(req);
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(
        ([name]) => !['host', 'connection', 'content-length', 'transfer-encoding'].includes(name),
      ),
    ) as Record<string, string>;
    const upstreamAnswer = await request(`${upstream}${req.url ?? '/'}`, {
      method: (req.method ?? 'GET') as 'GET',
      headers,
      ...(body.length > 0 ? { body } : {}),
    });
    const answer: ProxiedAnswer = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      status: upstreamAnswer.statusCode,
      headers: Object.fromEntries(
        Object.entries(upstreamAnswer.headers)
          .filter(
            ([name]) =>
              !['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date'].includes(name),
          )
          .map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]),
      ),
      body: Buffer.from(await upstreamAnswer.body.arrayBuffer()),
    };
    const action = fault(answer);
    if (action === 'reset') {
      req.socket.destroy();
      return;
    }
    if (action === 'hang') return;
    res.writeHead(action.status, { ...action.headers, 'content-length': action.body.length });
    res.end(action.method === 'HEAD' ? undefined : action.body);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      res.writeHead(502);
      res.end(`fault proxy: ${error.message}`);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Rewrites the JSON body of matching answers. */
export function editJson(
  answer: ProxiedAnswer,
  edit: (body: Record<string, unknown>) => unknown,
): ProxiedAnswer {
  const body = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
  return { ...answer, body: Buffer.from(JSON.stringify(edit(body))) };
}
