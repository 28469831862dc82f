import { Client } from 'undici';
import { answerFirstConnector } from './answer-first-socket.ts';
import type { HttpClient, HttpRequest } from './http-client.ts';
import type { Exchange } from './exchange.ts';

/** Requests sent one after the other on one keep-alive connection, and what became of it. */
export interface SameConnectionResult {
  readonly exchanges: readonly Exchange[];
  /**
   * For each request after the first: whether it went out on the connection the one before it
   * used (false when the target, or the client after an answer that came before the body was
   * sent, closed that connection in between).
   */
  readonly reused: readonly boolean[];
}

/**
 * Sends `requests` in order through one undici Client (a single connection, no pipelining), with
 * the harness client's token, timeout, size cap and redaction, and reports which requests reused
 * the connection. A body small enough to go out with the request head is sent whole whatever the
 * target does, so a target that answers before reading it leaves it in the connection.
 */
export async function sendOnOneConnection(
  http: HttpClient,
  requests: readonly HttpRequest[],
): Promise<SameConnectionResult> {
  const { baseUrl, timeoutMs } = http.options;
  let connects = 0;
  const client = new Client(new URL(baseUrl).origin, {
    pipelining: 1,
    keepAliveTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: answerFirstConnector(timeoutMs),
  });
  client.on('connect', () => {
    connects += 1;
  });
  try {
    const exchanges: Exchange[] = [];
    const reused: boolean[] = [];
    for (const [index, request] of requests.entries()) {
      const before = connects;
      exchanges.push(await http.send(request, client));
      if (index > 0) reused.push(connects === before && before > 0);
    }
    return { exchanges, reused };
  } finally {
    await client.destroy();
  }
}
