// A keep-alive connection the target closes as a request goes out (the idle-timeout race every
// HTTP/1.1 client meets under load) is not the target failing the request: RFC 9112 §9.3.1 lets a
// client send an idempotent request again. The harness does so once per call; a target that drops
// the request again, or drops a POST, is still reported as "no answer".
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { HttpClient } from '../../harness/index.ts';

const ANSWER = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}';

/**
 * A raw HTTP/1.1 server that answers the first request of every connection with keep-alive and
 * `drop(n)` decides, for the n-th request overall after that, whether to close without answering.
 */
async function withRawServer<T>(
  drop: (requestNumber: number, firstOnConnection: boolean) => boolean,
  body: (url: string, requests: () => number) => Promise<T>,
): Promise<T> {
  let requests = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    let first = true;
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      // Requests here carry no body: one request per blank line.
      while (buffered.includes('\r\n\r\n')) {
        buffered = buffered.slice(buffered.indexOf('\r\n\r\n') + 4);
        requests += 1;
        if (drop(requests, first)) {
          socket.destroy();
          return;
        }
        first = false;
        socket.write(ANSWER);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, () => requests);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const clientOf = (url: string): HttpClient =>
  new HttpClient({
    baseUrl: url,
    token: undefined,
    timeoutMs: 10_000,
    maxResponseBytes: 1 << 20,
    connections: 1,
  });

describe('a connection closed before any answer', () => {
  it('an idempotent request on a reused connection the target closes is sent once more, and says so', async () => {
    // The second request (the first reuse of the connection) is dropped; the resend answers.
    await withRawServer(
      (n, firstOnConnection) => n === 2 && !firstOnConnection,
      async (url, requests) => {
        const client = clientOf(url);
        try {
          expect((await client.send({ method: 'GET', path: '/v2/a' })).response?.status).toBe(200);
          const second = await client.send({ method: 'GET', path: '/v2/b' });
          expect(second.response?.status).toBe(200);
          expect(second.resentAfterClose).toMatch(/closed the connection/);
          expect(requests()).toBe(3);
        } finally {
          await client.close();
        }
      },
    );
  });

  it('a target that drops the request again is reported: one resend, no more', async () => {
    await withRawServer(
      (n) => n >= 2,
      async (url, requests) => {
        const client = clientOf(url);
        try {
          await client.send({ method: 'GET', path: '/v2/a' });
          const dropped = await client.send({ method: 'DELETE', path: '/v2/b' });
          expect(dropped.response).toBeUndefined();
          expect(dropped.error).toMatch(/no answer: the target closed the connection/);
          expect(requests()).toBe(3);
        } finally {
          await client.close();
        }
      },
    );
  });

  it('a POST is never sent twice', async () => {
    await withRawServer(
      (n) => n === 2,
      async (url, requests) => {
        const client = clientOf(url);
        try {
          await client.send({ method: 'GET', path: '/v2/a' });
          const dropped = await client.send({ method: 'POST', path: '/v2/b' });
          expect(dropped.response).toBeUndefined();
          expect(dropped.error).toMatch(/no answer: the target closed the connection/);
          expect(requests()).toBe(2);
        } finally {
          await client.close();
        }
      },
    );
  });
});
