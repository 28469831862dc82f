import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createStore, send } from './server-fixture.ts';
import { startServerProcess } from './server-process.ts';

const LIMIT = 9437184;
const server = await startServerProcess();
afterAll(() => server.stop());
const storeId = await createStore(server.url, 'payload-limit');
const recordPath = (key: string) => `/v2/key-value-stores/${storeId}/records/${key}`;

/**
 * Streams `total` bytes in 64 KiB chunks and returns the status the server answers with, or
 * 'cut' when the server closed the connection before an answer could be read.
 */
function streamUpload(path: string, total: number, declareLength: boolean): Promise<number | 'cut'> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream' };
    if (declareLength) headers['content-length'] = total;
    let answered = false;
    const req = httpRequest(`${server.url}${path}`, { method: 'PUT', headers }, (res) => {
      answered = true;
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    // The server closes the connection after its early answer, so the upload ends in EPIPE or a
    // reset; that only counts as a failure when no answer was read before it.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (['EPIPE', 'ECONNRESET'].includes(error.code ?? ''))
        setTimeout(() => answered || resolve('cut'), 500);
      else reject(error);
    });
    const chunk = Buffer.alloc(64 * 1024, 7);
    let sent = 0;
    const pump = (): void => {
      while (sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

describe('the record payload limit (9437184 bytes)', () => {
  it('stores bodies of limit − 1 and limit bytes byte-exact', async () => {
    for (const size of [LIMIT - 1, LIMIT]) {
      const value = randomBytes(size);
      expect((await send(server.url, 'PUT', recordPath(`size-${size}`), { body: value })).status).toBe(201);
      const read = await send(server.url, 'GET', recordPath(`size-${size}`));
      expect(read.body.equals(value)).toBe(true);
    }
  });

  it('rejects limit + 1 bytes with 413 request-too-large and leaves the previous value intact', async () => {
    await send(server.url, 'PUT', recordPath('kept'), {
      body: 'previous',
      headers: { 'content-type': 'text/plain' },
    });
    const rejected = await send(server.url, 'PUT', recordPath('kept'), { body: randomBytes(LIMIT + 1) });
    expect(rejected.status).toBe(413);
    expect(rejected.json()).toMatchObject({ error: { type: 'request-too-large' } });
    const read = await send(server.url, 'GET', recordPath('kept'));
    expect(read.body.toString()).toBe('previous');
    expect(read.headers['content-type']).toBe('text/plain');
  });

  it('rejects an oversized new key without creating a partial record', async () => {
    expect(
      (await send(server.url, 'PUT', recordPath('never'), { body: randomBytes(LIMIT + 1) })).status,
    ).toBe(413);
    expect((await send(server.url, 'GET', recordPath('never'))).status).toBe(404);
    const keys = (await send(server.url, 'GET', `/v2/key-value-stores/${storeId}/keys`)).json() as {
      data: { items: { key: string }[] };
    };
    expect(keys.data.items.map((item) => item.key)).not.toContain('never');
  });

  it('answers a streamed upload a few MiB over the limit with 413 (declared length and chunked)', async () => {
    expect(await streamUpload(recordPath('over-declared'), LIMIT + 4 * 1024 * 1024, true)).toBe(413);
    expect(await streamUpload(recordPath('over-chunked'), LIMIT + 4 * 1024 * 1024, false)).toBe(413);
    expect((await send(server.url, 'GET', recordPath('over-chunked'))).status).toBe(404);
  });

  it('answers a body over the limit by its declared length before it is sent, then reads the rest and keeps the connection', async () => {
    const { hostname, port } = new URL(server.url);
    const socket = connect(Number(port), hostname);
    let received = '';
    socket.on('data', (data: Buffer) => (received += data.toString('latin1')));
    const answered = async (count: number): Promise<void> => {
      while ((received.match(/HTTP\/1\.1 \d{3} [^\r]*\r\n(?:[^\r]+\r\n)*\r\n/g) ?? []).length < count)
        await new Promise((resolve) => socket.once('data', resolve));
    };
    // The head alone: no byte of the body is sent until the answer is in.
    socket.write(
      `PUT ${recordPath('early')} HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/octet-stream\r\ncontent-length: ${LIMIT + 1}\r\n\r\n`,
    );
    await answered(1);
    expect(received).toMatch(/^HTTP\/1\.1 413 /);
    // Kept open (no Connection: close): the rest of the body is read and dropped, and the same
    // connection then serves the next request.
    expect(received.toLowerCase()).not.toContain('connection: close');
    const rest = Buffer.alloc(LIMIT + 1, 1);
    socket.write(rest);
    socket.write(`GET ${recordPath('early')} HTTP/1.1\r\nhost: ${hostname}\r\n\r\n`);
    await answered(2);
    socket.destroy();
    expect(received.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 413', 'HTTP/1.1 404']);
  });

  it('refuses a 100 MiB upload attempt without its memory growing by the upload, and stays healthy', async () => {
    const before = server.peakMemoryBytes();
    for (const declared of [true, false]) {
      expect([413, 'cut']).toContain(await streamUpload(recordPath('huge'), 100 * 1024 * 1024, declared));
    }
    const growth = server.peakMemoryBytes() - before;
    // At most one limit's worth of buffered bytes plus slack — far below the 100 MiB sent.
    expect(growth).toBeLessThan(2 * LIMIT + 16 * 1024 * 1024);
    expect((await send(server.url, 'GET', recordPath('huge'))).status).toBe(404);
  });
});
