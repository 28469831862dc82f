// Unit checks behind the hostile-target table (issue 12): the 429 budget, apify-client's caps,
// redaction in bytes and in every spelling, and a redacting stream that sees split writes.
import { createHash } from 'node:crypto';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ApifyClientDriver, HttpClient } from '../../harness/index.ts';
import { bodyExcerpt, EXCERPT_BYTES } from '../../harness/http/exchange.ts';
import { redactSecrets, secretForms, secretRedactor } from '../../harness/http/redact.ts';
import { redactingWritable } from '../../harness/http/redacting-writable.ts';

const TOKEN = 'kvsc-unit-0123456789abcdef';

async function withServer<T>(listener: RequestListener, body: (url: string) => Promise<T>): Promise<T> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('every exchange is bounded', () => {
  it('a digested body is hashed whole as it arrives, keeps only its start, and stays under the cap', async () => {
    const big = Buffer.alloc(3 * (1 << 20));
    for (let index = 0; index < big.length; index += 1) big[index] = (index * 7919) % 251;
    const send = (maxResponseBytes: number) =>
      withServer(
        (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          res.end(big);
        },
        async (url) => {
          const client = new HttpClient({
            baseUrl: url,
            token: TOKEN,
            timeoutMs: 30_000,
            maxResponseBytes,
            connections: 1,
          });
          try {
            return await client.send({ method: 'GET', path: '/v2/x', digestBody: true });
          } finally {
            await client.close();
          }
        },
      );
    const exchange = await send(4 * (1 << 20));
    expect(exchange.response?.digest).toEqual({
      sha256: createHash('sha256').update(big).digest('hex'),
      bytes: big.length,
    });
    // The excerpt's bytes, and past them as many as the run's token takes when URL-encoded.
    expect(exchange.response?.body).toEqual(big.subarray(0, EXCERPT_BYTES + TOKEN.length));
    expect(exchange.response?.bodyExcerpt).toMatch(new RegExp(`^<${big.length} bytes, base64: [^>]*…>$`));
    const capped = await send(1 << 20);
    expect(capped.response).toBeUndefined();
    expect(capped.error).toMatch(/exceeds the cap of 1048576 bytes/);
  });

  it('a digested body redacts a token that starts inside its excerpt and ends past it', async () => {
    const text = `${'a'.repeat(EXCERPT_BYTES - 5)}${TOKEN}${'b'.repeat(1 << 20)}`;
    const exchange = await withServer(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(text);
      },
      async (url) => {
        const client = new HttpClient({
          baseUrl: url,
          token: TOKEN,
          timeoutMs: 30_000,
          maxResponseBytes: 4 << 20,
          connections: 1,
        });
        try {
          return await client.send({ method: 'GET', path: '/v2/x', digestBody: true });
        } finally {
          await client.close();
        }
      },
    );
    expect(exchange.response?.digest?.bytes).toBe(Buffer.byteLength(text));
    expect(exchange.response?.bodyExcerpt).not.toContain(TOKEN.slice(0, 5));
    expect(exchange.response?.bodyExcerpt).toMatch(
      new RegExp(`\\(${Buffer.byteLength(text)} bytes in all\\)$`),
    );
  });

  it('429s are retried a bounded number of times, and the give-up says what the target asked', async () => {
    let attempts = 0;
    const exchange = await withServer(
      (_req, res) => {
        attempts += 1;
        res.writeHead(429, { 'retry-after': '0', 'content-type': 'application/json' });
        res.end('{"error":{"type":"rate-limit-exceeded","message":"slow down"}}');
      },
      async (url) => {
        const client = new HttpClient({
          baseUrl: url,
          token: TOKEN,
          timeoutMs: 30_000,
          maxResponseBytes: 1 << 20,
          connections: 1,
        });
        try {
          return await client.send({ method: 'GET', path: '/v2/key-value-stores' });
        } finally {
          await client.close();
        }
      },
    );
    expect(attempts).toBe(6);
    expect(exchange.response).toBeUndefined();
    expect(exchange.error).toMatch(
      /^rate limited: answered 429 to 6 attempt\(s\) within the 30000 ms budget/,
    );
  });

  it('a Retry-After beyond the budget is not waited for', async () => {
    let attempts = 0;
    const error = await withServer(
      (_req, res) => {
        attempts += 1;
        res.writeHead(429, { 'retry-after': '3600' });
        res.end();
      },
      async (url) => {
        const client = new HttpClient({
          baseUrl: url,
          token: undefined,
          timeoutMs: 5000,
          maxResponseBytes: 1024,
          connections: 1,
        });
        try {
          return (await client.send({ method: 'GET', path: '/' })).error;
        } finally {
          await client.close();
        }
      },
    );
    expect(attempts).toBe(1);
    expect(error).toContain('last Retry-After "3600", capped at 10.0 s');
  });

  it('apify-client: a gzip bomb stops at the response cap', async () => {
    const bomb = gzipSync(Buffer.alloc(64 << 20, 0x20));
    const error = await withServer(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(bomb);
      },
      (url) =>
        new ApifyClientDriver({ baseUrl: url, token: TOKEN, timeoutMs: 10_000, maxResponseBytes: 1 << 20 })
          .getStore('AAAAAAAAAAAAAAAAA')
          .then(
            () => undefined,
            (thrown: unknown) => thrown as Error,
          ),
    );
    expect(error?.message).toBe('apify-client: the response body exceeds the cap of 1048576 bytes');
    expect(Object.keys(error ?? {})).not.toContain('config');
  });

  it('apify-client: a dripping body ends at the timeout, not at the first idle gap', async () => {
    const error = await withServer(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const timer = setInterval(() => res.write(' '), 100);
        res.on('close', () => clearInterval(timer));
      },
      (url) =>
        new ApifyClientDriver({ baseUrl: url, token: TOKEN, timeoutMs: 800, maxResponseBytes: 1 << 20 })
          .getStore('AAAAAAAAAAAAAAAAA')
          .then(
            () => undefined,
            (thrown: unknown) => thrown as Error,
          ),
    );
    expect(error?.message).toBe('apify-client: no complete response within 800 ms');
  });
});

describe('redaction holds on bytes', () => {
  it('every spelling of the token is redacted from text', () => {
    const bytes = Buffer.from(TOKEN);
    const text = [TOKEN, encodeURIComponent(TOKEN), bytes.toString('base64'), bytes.toString('hex')].join(
      ' ',
    );
    const redacted = redactSecrets(text, [TOKEN]);
    for (const form of secretForms(TOKEN)) expect(redacted).not.toContain(form);
  });

  it('a token made of regular-expression characters is redacted literally, and nothing else is', () => {
    const token = 'a+b.*(c)?[d]|e$^\\';
    const redact = secretRedactor([token]);
    const base64 = Buffer.from(token).toString('base64');
    expect(redact(`x ${token} y ${encodeURIComponent(token)} z ${base64} ab.c`)).toBe(
      'x $APIFY_TOKEN y $APIFY_TOKEN z $APIFY_TOKEN ab.c',
    );
    expect(secretRedactor([])('nothing to hide')).toBe('nothing to hide');
  });

  it('a binary body is redacted before it is excerpted as base64', () => {
    const body = Buffer.concat([Buffer.from([0, 1, 255]), Buffer.from(TOKEN), Buffer.from([0])]);
    const excerpt = bodyExcerpt(body, [TOKEN]);
    expect(excerpt).toMatch(/base64: /);
    const decoded = Buffer.from(/base64: (\S+?)>/.exec(excerpt)?.[1] ?? '', 'base64').toString('latin1');
    expect(decoded).not.toContain(TOKEN);
    expect(decoded).toContain('$APIFY_TOKEN');
  });

  it('a token split across two writes is still redacted by the stream', async () => {
    let written = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        written += chunk.toString();
        callback();
      },
    });
    const stream = redactingWritable(sink, [TOKEN]);
    stream.write(`token ${TOKEN.slice(0, 10)}`);
    stream.write(`${TOKEN.slice(10)} done\nlast line without newline ${TOKEN}`);
    await new Promise<void>((resolve) => stream.end(() => resolve()));
    expect(written).toBe('token $APIFY_TOKEN done\nlast line without newline $APIFY_TOKEN');
  });
});
