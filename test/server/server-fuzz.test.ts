import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { send } from './server-fixture.ts';
import { startServerProcess } from './server-process.ts';

/** Fast-check runs per backend (each run sends 1–3 raw requests); raise it with KVSC_SERVER_FUZZ_RUNS. */
const FUZZ_RUNS = Number(process.env.KVSC_SERVER_FUZZ_RUNS ?? 400);
/** A hang detector per request, far above the few milliseconds a request takes. */
const REQUEST_TIMEOUT_MS = 15_000;
const TOKEN = 'fuzz-token';

const STORE_SEGMENTS = [
  '~fuzz',
  'local-user~fuzz',
  'other~fuzz',
  '~',
  '',
  '.',
  '..',
  '%2e%2e',
  '%2E%2E%2F%2E%2E',
  '..%2F..%2Fetc',
  '%00',
  '%',
  '%zz',
  '%C0%AE%C0%AE',
  'abcdefghijklmnopq',
  '~..',
  '~%2e%2e',
  'fuzz',
];
const KEYS = [
  'a',
  'a.json',
  '__metadata__',
  'x.__metadata__',
  '..',
  '.',
  '~tmp-aaaaaaaaaaaa',
  '%2e%2e%2f%2e%2e%2foutside',
  '..%2F..%2F..%2Foutside.txt',
  '../../outside.txt',
  'a%2Fb',
  'a/b',
  '%00',
  'k'.repeat(256),
  'k'.repeat(257),
  `${'x'.repeat(240)}.json`,
  "!-_.'()",
  '%E2%82%AC',
];
const QUERY_VALUES = [
  '',
  '0',
  '1',
  '-1',
  'abc',
  '1e999',
  'true',
  'false',
  '..',
  '%2e%2e',
  '~tmp',
  '%zz',
  'x'.repeat(300),
];
const QUERY_NAMES = [
  'limit',
  'offset',
  'desc',
  'unnamed',
  'exclusiveStartKey',
  'prefix',
  'collection',
  'signature',
  'attachment',
  'name',
  'token',
  'ownership',
  'zzz',
];

const segment = fc.oneof(
  fc.constantFrom(...STORE_SEGMENTS),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
  fc.webSegment(),
);
const key = fc.oneof(
  fc.constantFrom(...KEYS),
  fc.webSegment(),
  fc.string({ maxLength: 30 }).map(encodeURIComponent),
);
const path = fc.oneof(
  fc.constant('/v2/key-value-stores'),
  segment.map((store) => `/v2/key-value-stores/${store}`),
  segment.map((store) => `/v2/key-value-stores/${store}/keys`),
  segment.map((store) => `/v2/key-value-stores/${store}/records`),
  fc.tuple(segment, key).map(([store, k]) => `/v2/key-value-stores/${store}/records/${k}`),
  fc.tuple(segment, key, key).map(([store, a, b]) => `/v2/key-value-stores/${store}/records/${a}/${b}`),
  fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)),
  fc.constantFrom(
    '/',
    '//v2/key-value-stores',
    '/v2/key-value-stores//records',
    '/v2/../v2/key-value-stores',
    '*',
  ),
);
const query = fc.oneof(
  fc.constant(''),
  fc
    .array(fc.tuple(fc.constantFrom(...QUERY_NAMES), fc.constantFrom(...QUERY_VALUES)), { maxLength: 4 })
    .map((pairs) => (pairs.length ? `?${pairs.map(([n, v]) => `${n}=${v}`).join('&')}` : '')),
  fc.webQueryParameters().map((q) => `?${q}`),
);
const payload = fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes));
const encodedBody = fc.oneof(
  payload.map((b) => ({ body: b, encoding: undefined as string | undefined })),
  payload.map((b) => ({ body: gzipSync(b), encoding: 'gzip' })),
  payload.map((b) => ({ body: brotliCompressSync(b), encoding: 'br' })),
  payload.map((b) => ({ body: deflateSync(b), encoding: 'deflate' })),
  payload.map((b) => ({ body: gzipSync(b).subarray(0, Math.max(1, b.length >> 1)), encoding: 'gzip' })),
  payload.map((b) => ({ body: b, encoding: 'gzip' })),
  fc.constant({ body: gzipSync(Buffer.alloc(2 * 1024 * 1024)), encoding: 'gzip' }),
  fc
    .jsonValue()
    .map((v) => ({ body: Buffer.from(JSON.stringify({ name: v, generalAccess: v })), encoding: undefined })),
  fc.constantFrom(...STORE_SEGMENTS, 'fuzz-renamed').map((name) => ({
    body: Buffer.from(JSON.stringify({ name })),
    encoding: undefined,
  })),
  fc.constantFrom('x-gzip', 'identity', 'gzip, br', 'bogus', 'GZIP', '').map((encoding) => ({
    body: Buffer.from('plain'),
    encoding,
  })),
);
const request = fc.record({
  method: fc.oneof(
    fc.constantFrom('GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS'),
    fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'), minLength: 1, maxLength: 8 }),
  ),
  path,
  query,
  auth: fc.constantFrom('header', 'query', 'none', 'wrong'),
  contentType: fc.constantFrom(
    undefined,
    'application/json',
    'text/plain; charset=utf-8',
    'image/png',
    'application/x-www-form-urlencoded',
    '../../x',
    '',
  ),
  acceptEncoding: fc.constantFrom(undefined, 'gzip', 'br', '*', 'identity', 'gzip;q=0', 'deflate, br'),
  chunked: fc.boolean(),
  body: fc.option(encodedBody, { nil: undefined }),
});
type RawRequest = typeof request extends fc.Arbitrary<infer T> ? T : never;

/** Sends one request as raw bytes on a fresh connection and returns the answer's status code. */
function sendRaw(base: string, r: RawRequest): Promise<number> {
  const { hostname, port } = new URL(base);
  const body = r.body?.body ?? Buffer.alloc(0);
  const target =
    r.auth === 'query' ? `${r.path}${r.query}${r.query ? '&' : '?'}token=${TOKEN}` : `${r.path}${r.query}`;
  const lines = [`${r.method} ${target} HTTP/1.1`, `host: ${hostname}:${port}`, 'connection: close'];
  if (r.auth === 'header') lines.push(`authorization: Bearer ${TOKEN}`);
  if (r.auth === 'wrong') lines.push('authorization: Bearer not-the-token');
  if (r.contentType !== undefined) lines.push(`content-type: ${r.contentType}`);
  if (r.acceptEncoding !== undefined) lines.push(`accept-encoding: ${r.acceptEncoding}`);
  if (r.body?.encoding !== undefined) lines.push(`content-encoding: ${r.body.encoding}`);
  const framed = r.chunked
    ? Buffer.concat([
        Buffer.from(body.length ? `${body.length.toString(16)}\r\n` : ''),
        body,
        Buffer.from(body.length ? '\r\n0\r\n\r\n' : '0\r\n\r\n'),
      ])
    : body;
  lines.push(r.chunked ? 'transfer-encoding: chunked' : `content-length: ${body.length}`);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let head = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`));
    }, REQUEST_TIMEOUT_MS);
    socket.on('data', (chunk: Buffer) => {
      if (head.length < 64) head += chunk.toString('latin1');
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      // A reset after an early answer (e.g. 413 before the body was read) still carries the status.
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1];
      if (status) resolve(Number(status));
      else reject(error);
    });
    socket.on('end', () => {
      clearTimeout(timer);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1];
      if (status) resolve(Number(status));
      else reject(new Error(`the connection closed without an answer: ${JSON.stringify(head)}`));
    });
    // No half-close: Node's server drops a request whose client ended its side before the answer.
    socket.write(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), framed]));
  });
}

/** Every path under `dir` (recursively), relative to it, except those under `skip`. */
function listing(dir: string, skip: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((entry) => !join(dir, entry).startsWith(skip))
    .sort();
}

describe.each(['memory', 'directory'] as const)('server fuzz over raw HTTP (%s backend)', (backend) => {
  it(`never answers 5xx, never crashes, never writes outside the data dir (${FUZZ_RUNS} runs)`, async () => {
    // The data dir sits three levels down, so a traversal of one to three levels lands in the listing.
    const parent = mkdtempSync(join(tmpdir(), 'kvsc-fuzz-'));
    const data = join(parent, 'a', 'b', 'data');
    mkdirSync(data, { recursive: true });
    writeFileSync(join(parent, 'a', 'sentinel.txt'), 'sentinel');
    const before = listing(parent, data);
    const server = await startServerProcess([
      '--token',
      TOKEN,
      ...(backend === 'directory' ? ['--storage', data] : []),
    ]);
    let requests = 0;
    const started = Date.now();
    try {
      const auth = { authorization: `Bearer ${TOKEN}` };
      await send(server.url, 'POST', '/v2/key-value-stores?name=fuzz', { headers: auth });
      for (const k of ['a', 'a.json', '__metadata__', '..'])
        await send(server.url, 'PUT', `/v2/key-value-stores/~fuzz/records/${k}`, {
          headers: { ...auth, 'content-type': 'application/json', 'content-encoding': 'gzip' },
          body: gzipSync('{"seed":1}'),
        });
      await fc.assert(
        fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 3 }), async (batch) => {
          for (const r of batch) {
            const status = await sendRaw(server.url, r);
            requests += 1;
            expect(status, `${r.method} ${r.path}${r.query}`).toBeLessThan(500);
          }
          expect(server.child.exitCode, 'the server process exited').toBeNull();
        }),
        { numRuns: FUZZ_RUNS },
      );
      const alive = await send(server.url, 'GET', '/v2/key-value-stores', { headers: auth });
      expect(alive.status).toBe(200);
    } finally {
      await server.stop();
    }
    expect(listing(parent, data), 'files appeared outside the data dir').toEqual(before);
    console.info(
      `server fuzz (${backend}): ${FUZZ_RUNS} runs, ${requests} requests, ${Date.now() - started} ms`,
    );
  }, 300_000);
});
