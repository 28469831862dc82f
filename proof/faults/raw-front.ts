import { createServer, type Socket } from 'node:net';
import { forwardRequest } from '../forward-request.ts';
import { listenOnLoopback, type LoopbackListener } from '../listen-on-loopback.ts';
import { answerBytes } from './raw-answer.ts';

/** A request head as the raw front read it off the socket. */
export interface RawHead {
  readonly method: string;
  /** Path and query. */
  readonly path: string;
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
}

/** An answer the front writes itself, before (or instead of) reading the request body. */
export interface EarlyAnswer {
  readonly status: number;
  readonly body: unknown;
  /**
   * What happens to the unread body and the connection after the answer: `drain` reads the body
   * and keeps the connection (correct), `partial-close` reads 64 KiB more and closes (the JDK
   * server's habit, correct), `desync` leaves the body in the connection and reads it as the next
   * request (the bug), `no-answer` writes nothing and closes after 64 KiB (the bug).
   */
  readonly then: 'drain' | 'partial-close' | 'desync' | 'no-answer';
}

/** Decides, from a request head, whether the front answers early (undefined: forward). */
export type EarlyHook = (head: RawHead, upstream: string) => Promise<EarlyAnswer | undefined>;

/** A listening raw front. */
export type RawFront = LoopbackListener;

const DRAIN_BEFORE_CLOSE = 64 * 1024;

/** Reads a socket as a byte stream with awaitable heads and byte counts. */
class SocketReader {
  #buffer = Buffer.alloc(0);
  #ended = false;
  #wake: (() => void) | undefined;

  constructor(socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake?.();
    });
    socket.on('close', () => {
      this.#ended = true;
      this.#wake?.();
    });
  }

  async #more(): Promise<boolean> {
    if (this.#ended) return false;
    await new Promise<void>((resolve) => (this.#wake = resolve));
    this.#wake = undefined;
    return true;
  }

  /** The next head (up to the blank line), or undefined when the connection ended. */
  async head(): Promise<string | undefined> {
    for (;;) {
      const end = this.#buffer.indexOf('\r\n\r\n');
      if (end >= 0) {
        const head = this.#buffer.subarray(0, end).toString('latin1');
        this.#buffer = this.#buffer.subarray(end + 4);
        return head;
      }
      if (!(await this.#more())) return undefined;
    }
  }

  /** The next `count` bytes (fewer when the connection ended). */
  async bytes(count: number): Promise<Buffer> {
    while (this.#buffer.length < count) if (!(await this.#more())) break;
    const taken = this.#buffer.subarray(0, count);
    this.#buffer = this.#buffer.subarray(taken.length);
    return taken;
  }
}

function parseHead(text: string): RawHead | undefined {
  const [line = '', ...lines] = text.split('\r\n');
  const match = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(line);
  if (!match) return undefined;
  const headers: Record<string, string> = {};
  for (const header of lines) {
    const colon = header.indexOf(':');
    if (colon > 0) headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
  }
  return { method: match[1] ?? '', path: match[2] ?? '', headers };
}

const jsonAnswer = (status: number, body: unknown, method: string): Buffer =>
  answerBytes(
    status,
    { 'content-type': 'application/json; charset=utf-8' },
    Buffer.from(JSON.stringify(body)),
    {
      head: method === 'HEAD',
    },
  );

/**
 * A raw-socket (node:net) HTTP/1.1 front in front of a correct target: it reads each request off
 * the socket itself, so it can answer before a body is read and then do with the connection what a
 * real stack does (read on, close, or — the bug — read the body as the next request). Every other
 * request is forwarded whole and its answer written back with a Content-Length on the same
 * keep-alive connection. Request bodies are read by Content-Length (the harness always sends one).
 */
export function startRawFront(upstream: string, early: EarlyHook): Promise<RawFront> {
  const serve = async (socket: Socket): Promise<void> => {
    const reader = new SocketReader(socket);
    for (;;) {
      const text = await reader.head();
      if (text === undefined || socket.destroyed) return;
      const head = parseHead(text);
      if (!head) {
        socket.end(
          jsonAnswer(400, { error: { type: 'bad-request', message: 'Unreadable request line' } }, 'GET'),
        );
        return;
      }
      const length = Number(head.headers['content-length'] ?? 0);
      const decision = await early(head, upstream);
      if (decision) {
        if (decision.then !== 'no-answer')
          socket.write(jsonAnswer(decision.status, decision.body, head.method));
        if (decision.then === 'drain') await reader.bytes(length);
        if (decision.then === 'partial-close' || decision.then === 'no-answer') {
          await reader.bytes(Math.min(length, DRAIN_BEFORE_CLOSE));
          socket.destroy();
          return;
        }
        // `desync`: the body stays in the reader and is parsed as the next request.
        continue;
      }
      const body = await reader.bytes(length);
      const answer = await forwardRequest(upstream, { ...head, body });
      socket.write(
        answerBytes(answer.status, answer.headers, answer.body, {
          head: head.method === 'HEAD',
          contentLength: answer.contentLength,
        }),
      );
    }
  };
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    serve(socket).catch(() => socket.destroy());
  });
  return listenOnLoopback(server);
}
