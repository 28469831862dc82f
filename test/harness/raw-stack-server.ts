// Small raw-socket HTTP servers (node:net) with the habits real stacks have, for the transport
// tests: each answer is written byte for byte, so nothing in Node's HTTP server corrects a habit.
import { createServer, type AddressInfo, type Socket } from 'node:net';

/** A request head as the raw server read it, and the body bytes that came with it so far. */
export interface RawRequest {
  readonly method: string;
  readonly target: string;
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * What the server does once a request head has arrived: `answer` writes bytes; the socket is then
 * the habit's to read from, pause or close.
 */
export type Habit = (request: RawRequest, socket: Socket, connection: { requests: number }) => void;

/** A listening raw server. */
export interface RawServer {
  readonly url: string;
  /** Request heads received, in order. */
  readonly seen: RawRequest[];
  close(): Promise<void>;
}

const HEAD_END = Buffer.from('\r\n\r\n');

function parseHead(head: string): RawRequest {
  const [requestLine = '', ...lines] = head.split('\r\n');
  const [method = '', target = ''] = requestLine.split(' ');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { method, target, headers };
}

/**
 * A server that reads each request head, skips a `Content-Length` body when the habit answered
 * after reading it (`readBody`), and hands each head to the habit.
 */
export async function startRawServer(habit: Habit, options: { readBody?: boolean } = {}): Promise<RawServer> {
  const seen: RawRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const connection = { requests: 0 };
    let buffer = Buffer.alloc(0);
    let bodyLeft = 0;
    let pending: RawRequest | undefined;
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (pending) {
          const take = Math.min(bodyLeft, buffer.length);
          bodyLeft -= take;
          buffer = buffer.subarray(take);
          if (bodyLeft > 0) return;
          const ready = pending;
          pending = undefined;
          connection.requests += 1;
          habit(ready, socket, connection);
          continue;
        }
        const end = buffer.indexOf(HEAD_END);
        if (end < 0) return;
        const request = parseHead(buffer.subarray(0, end).toString('latin1'));
        buffer = buffer.subarray(end + HEAD_END.length);
        seen.push(request);
        if (options.readBody ?? true) {
          pending = request;
          bodyLeft = Number(request.headers['content-length'] ?? 0);
          continue;
        }
        connection.requests += 1;
        // The habit owns the rest of the stream (an early answer).
        socket.removeAllListeners('data');
        habit(request, socket, connection);
        return;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** An HTTP/1.1 answer as bytes: a status line, the headers as given (case kept), the body. */
export function rawAnswer(
  status: string,
  headers: readonly (readonly [string, string])[],
  body = '',
  version = 'HTTP/1.1',
): string {
  return `${version} ${status}\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n${body}`;
}

/** A JSON body and its Content-Length header. */
export function jsonBody(value: unknown): { body: string; length: readonly [string, string] } {
  const body = JSON.stringify(value);
  return { body, length: ['Content-Length', String(Buffer.byteLength(body))] };
}
