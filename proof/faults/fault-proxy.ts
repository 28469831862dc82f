import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { request } from 'undici';

/** A request as the proxy received it. */
export interface ProxiedRequest {
  readonly method: string;
  /** Path and query. */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** An upstream answer as the proxy saw it, for a fault to rewrite. */
export interface ProxiedAnswer {
  readonly method: string;
  /** Path and query of the request. */
  readonly path: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  /**
   * Write the answer byte for byte on the socket, body included whatever the status and method
   * (for bugs Node's HTTP server would otherwise correct, such as a body on a 204).
   */
  readonly raw?: boolean;
}

/** What a fault does with an answer: rewrite it, drop the connection, or never answer. */
export type FaultAction = ProxiedAnswer | 'reset' | 'hang';

/** A fault: one realistic server bug, applied to every answer it matches. */
export type Fault = (answer: ProxiedAnswer) => FaultAction;

/**
 * A fault that needs the request: it may change what is forwarded, forward several requests
 * (`forward` sends one to the correct target), or answer by itself.
 */
export type RequestFault = (
  request: ProxiedRequest,
  forward: (request: ProxiedRequest) => Promise<ProxiedAnswer>,
) => Promise<FaultAction>;

/** A listening fault proxy. */
export interface FaultProxy {
  readonly url: string;
  close(): Promise<void>;
}

const HOP_BY_HOP_REQUEST = ['host', 'connection', 'content-length', 'transfer-encoding'];
const HOP_BY_HOP_ANSWER = ['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date'];

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A real HTTP server on 127.0.0.1 in front of a correct target (the reference server) that applies
 * a fault: the harness's own tests point the harness at it and expect the fault to be caught under
 * the right rule.
 */
export async function startFaultProxy(
  upstream: string,
  fault: Fault | { readonly request: RequestFault },
): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  const forward = async (proxied: ProxiedRequest): Promise<ProxiedAnswer> => {
    const answer = await request(`${upstream}${proxied.path}`, {
      method: proxied.method as 'GET',
      headers: proxied.headers,
      ...(proxied.body.length > 0 ? { body: proxied.body } : {}),
    });
    return {
      method: proxied.method,
      path: proxied.path,
      status: answer.statusCode,
      headers: Object.fromEntries(
        Object.entries(answer.headers)
          .filter(([name]) => !HOP_BY_HOP_ANSWER.includes(name))
          .map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]),
      ),
      body: Buffer.from(await answer.body.arrayBuffer()),
    };
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([name]) => !HOP_BY_HOP_REQUEST.includes(name)),
    ) as Record<string, string>;
    const proxied: ProxiedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers,
      body: await readAll(req),
    };
    const action =
      typeof fault === 'function' ? fault(await forward(proxied)) : await fault.request(proxied, forward);
    if (action === 'reset') {
      req.socket.destroy();
      return;
    }
    if (action === 'hang') return;
    if (action.raw) {
      const head = [
        `HTTP/1.1 ${action.status} ${STATUS_CODES[action.status] ?? ''}`,
        ...Object.entries(action.headers).map(([name, value]) => `${name}: ${value}`),
        `content-length: ${action.body.length}`,
        'connection: close',
      ];
      req.socket.end(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), action.body]));
      return;
    }
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

/** Rewrites the JSON body of an answer. */
export function editJson(
  answer: ProxiedAnswer,
  edit: (body: Record<string, unknown>) => unknown,
): ProxiedAnswer {
  const body = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
  return { ...answer, body: Buffer.from(JSON.stringify(edit(body))) };
}
