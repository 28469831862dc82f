// The raw-socket probe (harness/http/raw-probe.ts) against small raw servers: it reports every byte
// that follows an answer's head — which the HTTP client never shows for HEAD or 204 — whatever the
// server does with the connection, and records the exchange with the token in no spelling.
import { afterAll, describe, expect, it } from 'vitest';
import {
  HttpClient,
  renderCurl,
  sendRawProbe,
  type Exchange,
  type HttpRequest,
} from '../../harness/index.ts';
import { secretForms } from '../../harness/http/redact.ts';
import { rawAnswer, startRawServer, type Habit, type RawServer } from './raw-stack-server.ts';

const TOKEN = 'kvsc-probe-token-5e1d9a';
/** A short quiet period for the servers that keep the connection open (a hang detector stays far above). */
const QUIET_MS = 150;
const BODY = 'the body a GET handler writes';

const servers: RawServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

interface Seen {
  readonly sent: HttpRequest[];
  readonly exchanges: Exchange[];
}

async function clientFor(
  habit: Habit,
  options: { readonly maxResponseBytes?: number } = {},
): Promise<{ client: HttpClient; server: RawServer; seen: Seen }> {
  const server = await startRawServer(habit);
  servers.push(server);
  const seen: Seen = { sent: [], exchanges: [] };
  const client = new HttpClient({
    baseUrl: server.url,
    token: TOKEN,
    timeoutMs: 10_000,
    maxResponseBytes: options.maxResponseBytes ?? 1 << 20,
    connections: 1,
    onSend: (request) => seen.sent.push(request),
    onExchange: (exchange) => seen.exchanges.push(exchange),
  });
  return { client, server, seen };
}

const head = (extra: readonly (readonly [string, string])[] = []): string =>
  rawAnswer('200 OK', [['Content-Type', 'text/plain'], ['Content-Length', String(BODY.length)], ...extra]);

const probeHead = (client: HttpClient) =>
  sendRawProbe(
    client,
    { method: 'HEAD', path: '/v2/key-value-stores/s/records/k', operationId: 'keyValueStore_record_head' },
    QUIET_MS,
  );

describe('sendRawProbe reads what follows an answer head', () => {
  it('a HEAD answered with the GET body and a close reports the body as bytes after the head', async () => {
    const { client, server, seen } = await clientFor((_request, socket) => socket.end(head() + BODY));
    const probe = await probeHead(client);
    expect(probe.exchange.response?.status).toBe(200);
    expect(probe.exchange.response?.headers['content-length']).toBe(String(BODY.length));
    expect(probe.bytesAfterHead).toBe(BODY.length);
    expect(probe.exchange.response?.bodyExcerpt).toBe(BODY);
    expect(probe.ended).toBe('closed');
    expect(probe.httpVersion).toBe('1.1');
    // One request, as the client sends it: the token in the Authorization header, asking to close.
    expect(server.seen).toHaveLength(1);
    expect(server.seen[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(server.seen[0]?.headers.connection).toBe('close');
    expect(server.seen[0]?.target).toBe('/v2/key-value-stores/s/records/k');
    // Told to the client's hooks like every other exchange.
    expect(seen.sent.map((request) => request.method)).toEqual(['HEAD']);
    expect(seen.exchanges).toEqual([probe.exchange]);
  });

  it('a HEAD answered with the head alone reports no bytes after it', async () => {
    const { client } = await clientFor((_request, socket) => socket.end(head()));
    const probe = await probeHead(client);
    expect(probe.exchange.response?.status).toBe(200);
    expect(probe.bytesAfterHead).toBe(0);
    expect(probe.exchange.response?.bodyExcerpt).toBe('');
    expect(probe.ended).toBe('closed');
  });

  it('a keep-alive server that ignores Connection: close is judged after the quiet period, with and without a body', async () => {
    const withBody = await clientFor((_request, socket) => socket.write(head() + BODY));
    const withoutBody = await clientFor((_request, socket) => socket.write(head()));
    const started = performance.now();
    const [body, none] = [await probeHead(withBody.client), await probeHead(withoutBody.client)];
    expect(body.ended).toBe('quiet');
    expect(body.bytesAfterHead).toBe(BODY.length);
    expect(none.ended).toBe('quiet');
    expect(none.bytesAfterHead).toBe(0);
    // A hang detector, far above the two quiet periods: the probe never waits for the timeout.
    expect(performance.now() - started).toBeLessThan(8_000);
  });

  it('a body written in pieces after the head is counted whole', async () => {
    const { client } = await clientFor((_request, socket) => {
      socket.write(head());
      setTimeout(() => socket.write(BODY.slice(0, 10)), 20);
      setTimeout(() => socket.end(BODY.slice(10)), 40);
    });
    const probe = await probeHead(client);
    expect(probe.bytesAfterHead).toBe(BODY.length);
    expect(probe.exchange.response?.bodyExcerpt).toBe(BODY);
  });

  it('interim 1xx answers are skipped and the final answer is judged', async () => {
    const { client } = await clientFor((_request, socket) =>
      socket.end(
        rawAnswer('100 Continue', []) +
          rawAnswer('103 Early Hints', [['Link', '</style.css>; rel=preload']]) +
          head() +
          BODY,
      ),
    );
    const probe = await probeHead(client);
    expect(probe.interim).toEqual([100, 103]);
    expect(probe.exchange.response?.status).toBe(200);
    expect(probe.bytesAfterHead).toBe(BODY.length);
  });

  it('an HTTP/1.0 answer, and a 204 with content, are read as they came', async () => {
    const old = await clientFor((_request, socket) =>
      socket.end(rawAnswer('200 OK', [['Content-Length', String(BODY.length)]], BODY, 'HTTP/1.0')),
    );
    const oldProbe = await probeHead(old.client);
    expect(oldProbe.httpVersion).toBe('1.0');
    expect(oldProbe.bytesAfterHead).toBe(BODY.length);
    const noContent = await clientFor((_request, socket) =>
      socket.end(rawAnswer('204 No Content', [], '{}')),
    );
    const deleted = await sendRawProbe(noContent.client, {
      method: 'DELETE',
      path: '/v2/key-value-stores/s',
    });
    expect(deleted.exchange.request.method).toBe('DELETE');
    expect(deleted.exchange.response?.status).toBe(204);
    expect(deleted.bytesAfterHead).toBe(2);
  });

  it('bytes past the response cap end the reading; a reset or close before any head is no answer', async () => {
    const capped = await clientFor((_request, socket) => socket.write(head() + 'x'.repeat(4096)), {
      maxResponseBytes: 1024,
    });
    const probe = await probeHead(capped.client);
    expect(probe.ended).toBe('cap');
    expect(probe.bytesAfterHead).toBeGreaterThan(1024);
    expect(probe.exchange.response?.body.length).toBe(1024);
    const reset = await clientFor((_request, socket) => socket.resetAndDestroy());
    const resetProbe = await probeHead(reset.client);
    expect(resetProbe.exchange.response).toBeUndefined();
    expect(resetProbe.ended).toBeUndefined();
    expect(resetProbe.exchange.error).toMatch(/^no answer/);
    const closed = await clientFor((_request, socket) => socket.end());
    const closedProbe = await probeHead(closed.client);
    expect(closedProbe.exchange.response).toBeUndefined();
    expect(closedProbe.exchange.error).toMatch(/^no answer/);
  });

  it('the token appears in no spelling in the recorded exchange, its curl line or its excerpt, also when the server echoes it', async () => {
    const forms = secretForms(TOKEN);
    const { client } = await clientFor((request, socket) => {
      const sent = request.headers.authorization ?? '';
      const echo = `${sent} ${forms.join(' ')}`;
      socket.end(
        rawAnswer('200 OK', [
          ['Content-Length', String(echo.length)],
          ['X-Echo', sent],
        ]) + echo,
      );
    });
    const probe = await probeHead(client);
    expect(probe.bytesAfterHead).toBeGreaterThan(0);
    const recorded = [
      JSON.stringify(probe.exchange),
      renderCurl(probe.exchange),
      probe.exchange.response?.bodyExcerpt ?? '',
    ].join('\n');
    for (const form of forms) expect(recorded).not.toContain(form);
    expect(probe.exchange.request.headers.authorization).toBe('Bearer $APIFY_TOKEN');
    expect(probe.exchange.response?.headers['x-echo']).toBe('Bearer $APIFY_TOKEN');
  });
});
