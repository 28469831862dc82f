// The hostile-target table: every misbehaviour, with the exit code and output it must produce.
import { randomId, store, storeList } from './fake-store-list.ts';
import type { HostileCase, HostileRun } from './hostile-case.ts';
import { answer } from './hostile-server.ts';
import { drip, gigabyte, gzipBomb, hang, hugeHeader, reset, status, when } from './misbehaviours.ts';
import { isClient, isCleanupList, isCreate, isPreflight, isStoreList } from './seen-requests.ts';

const ERROR = (type: string, message: string): string => JSON.stringify({ error: { type, message } });

/** Paths the harness must never send a DELETE to (what `..`, `.` and friends turn into). */
const badDeletes = (run: HostileRun): string | undefined => {
  const bad = run.seen.filter(
    (request) =>
      request.method === 'DELETE' && !/^\/v2\/key-value-stores\/[A-Za-z0-9]{17}(\/|\?|$)/.test(request.path),
  );
  return bad.length > 0 ? `DELETE sent to ${bad.map((request) => request.path).join(', ')}` : undefined;
};

/**
 * A run whose every store create settled reads no cleanup listing (the journal vouches for every
 * store), so a hostile listing cannot reach it; test/harness/delete-run-stores.test.ts runs such
 * listings through a cleanup that must read one.
 */
const cleanupListingUnread = (run: HostileRun): string | undefined =>
  run.seen.some(isCleanupList) ? 'the cleanup listing was read although every create settled' : undefined;

const XSS = `<script>alert(1)</script><img src=x onerror=alert(2)> [click](javascript:alert(3)) ![i](http://evil.example/t.png) | cell | \`code\` **bold** # heading`;

/** The table: every behaviour, with the exit code and output it must produce. */
export const HOSTILE_CASES: readonly HostileCase[] = [
  // ---- the target does not speak the KVS API: the preflight stops the run (exit 2, one line)
  {
    name: 'closed port',
    what: 'nothing listens on the port',
    behaviour: 'closed-port',
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 2,
    pastPreflight: false,
    says: /KVSC_TARGET_UNREACHABLE: cannot reach/,
  },
  {
    name: 'only 429',
    what: 'every request answers 429 with Retry-After: 30',
    behaviour: () => status(429, ERROR('rate-limit-exceeded', 'slow down'), { 'retry-after': '30' }),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 2,
    pastPreflight: false,
    says: /rate limited: answered 429/,
  },
  {
    name: 'only 503',
    what: 'every request answers 503',
    behaviour: () => status(503, ERROR('service-unavailable', 'down')),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 2,
    pastPreflight: false,
    says: /does not answer as a KVS server: GET \/v2\/key-value-stores answered 503/,
  },
  {
    name: 'HTML page',
    what: 'a web server answering an HTML page with a script',
    behaviour: () => status(200, `<html><body>${XSS}</body></html>`, { 'content-type': 'text/html' }),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 2,
    pastPreflight: false,
    says: /does not answer as a KVS server: GET \/v2\/key-value-stores answered 200/,
  },
  {
    name: 'JSON, not KVS',
    what: 'a JSON API that is not a KVS',
    behaviour: () => status(200, '{"hello":"world"}'),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 2,
    pastPreflight: false,
    says: /does not answer as a KVS server/,
  },
  {
    name: '401 without envelope, token echoed',
    what: 'a 401 in plain text that echoes the token',
    behaviour: (env) => status(401, `Unauthorized: ${env.token}`, { 'content-type': 'text/plain' }),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 2,
    pastPreflight: false,
    says: /KVSC_TOKEN_REFUSED: .* refused the token: GET \/v2\/key-value-stores answered 401 — /,
  },
  {
    name: '401 envelope, token echoed',
    what: 'a well-formed 401 whose message and header echo the token',
    behaviour: (env) =>
      status(401, ERROR('invalid-token', `token ${env.token} is invalid`), {
        'www-authenticate': `Bearer ${env.token}`,
      }),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 2,
    pastPreflight: false,
    says: /KVSC_TOKEN_REFUSED: .* refused the token: GET \/v2\/key-value-stores answered 401 \(error type "invalid-token"\)/,
  },
  {
    name: 'hang',
    what: 'accepts the connection, never answers',
    behaviour: () => hang,
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 2,
    pastPreflight: false,
    says: /no complete response within 3000 ms/,
  },
  {
    name: 'reset',
    what: 'drops every connection',
    behaviour: () => reset,
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 2,
    pastPreflight: false,
    says: /cannot reach/,
  },
  {
    name: 'huge header',
    what: 'a 100 KB response header',
    behaviour: () => hugeHeader,
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 2,
    pastPreflight: false,
    says: /cannot reach .*(header|overflow)/i,
  },
  {
    name: 'redirect to another host',
    what: 'the store list redirects to another host',
    behaviour: (env) => (request, res) =>
      answer(res, 302, '', { location: `${env.otherHost.url}${request.path}` }),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 2,
    pastPreflight: false,
    says: /answered 302/,
    check: (_run, env) => (env.otherHost.state.seen.length > 0 ? 'the other host was contacted' : undefined),
  },
  // ---- misbehaviour after the preflight: the rule fails (exit 1), every report is written
  {
    name: 'drip on create',
    what: 'store creation answers headers, then a byte every 300 ms',
    behaviour: () => when(isCreate, drip),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 1,
    pastPreflight: true,
    says: /no complete response within/,
  },
  {
    name: 'hang on create',
    what: 'store creation never answers',
    behaviour: () => when(isCreate, hang),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 1,
    pastPreflight: true,
    says: /no complete response within/,
  },
  {
    name: 'reset on create',
    what: 'store creation drops the connection',
    behaviour: () => when(isCreate, reset),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 1,
    pastPreflight: true,
    says: /got no response/,
  },
  {
    name: 'huge header on create',
    what: 'store creation answers a 100 KB header',
    behaviour: () => when(isCreate, hugeHeader),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 1,
    pastPreflight: true,
    says: /got no response/,
  },
  {
    name: '1 GiB body',
    what: 'store listings answer 1 GiB',
    behaviour: () => when(isStoreList, gigabyte),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 1,
    pastPreflight: true,
    says: /exceeds the cap of 67108864 bytes/,
  },
  {
    name: 'gzip bomb, HTTP driver',
    what: 'store listings answer 510 KB of gzip that inflates to 512 MiB',
    behaviour: () => when(isStoreList, gzipBomb),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 1,
    pastPreflight: true,
  },
  {
    name: 'gzip bomb, apify-client',
    what: 'every apify-client request answers the gzip bomb',
    behaviour: () => when(isClient, gzipBomb),
    args: ['--rule', 'KVS-NOTFOUND-005'],
    exit: 1,
    pastPreflight: true,
    says: /exceeds the cap of 67108864 bytes/,
  },
  {
    name: 'drip, apify-client',
    what: 'every apify-client request drips its body',
    behaviour: () => when(isClient, drip),
    args: ['--rule', 'KVS-NOTFOUND-005'],
    exit: 1,
    pastPreflight: true,
    says: /no complete response within 3000 ms/,
  },
  {
    name: 'hang, apify-client',
    what: 'apify-client requests are never answered',
    behaviour: () => when(isClient, hang),
    args: ['--rule', 'KVS-NOTFOUND-005'],
    exit: 1,
    pastPreflight: true,
    says: /no complete response within 3000 ms/,
  },
  {
    name: '429 storm after the preflight',
    what: 'store creation answers 429 with Retry-After: 30, forever',
    behaviour: () =>
      when(isCreate, status(429, ERROR('rate-limit-exceeded', 'slow down'), { 'retry-after': '30' })),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 1,
    pastPreflight: true,
    says: /rate limited: answered 429/,
  },
  {
    name: '500 storm',
    what: 'every request after the preflight answers 500',
    behaviour: () => when((request) => !isPreflight(request), status(500, ERROR('internal', 'boom'))),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 1,
    pastPreflight: true,
  },
  {
    name: '503 storm, Retry-After 1 h',
    what: 'every request after the preflight answers 503 with Retry-After: 3600',
    behaviour: () =>
      when(
        (request) => !isPreflight(request),
        status(503, ERROR('unavailable', 'later'), { 'retry-after': '3600' }),
      ),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 1,
    pastPreflight: true,
  },
  {
    name: 'deep JSON',
    what: 'store listings answer JSON nested 100 000 deep',
    behaviour: () => when(isStoreList, status(200, `{"data":${'['.repeat(100_000)}${']'.repeat(100_000)}}`)),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 1,
    pastPreflight: true,
  },
  {
    name: 'XSS and Markdown in an error',
    what: 'store creation answers 400 whose message is HTML, a script and Markdown',
    behaviour: () => when(isCreate, status(400, ERROR('invalid-input', XSS))),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 1,
    pastPreflight: true,
    check: (run) => {
      const summary = run.files.get('summary.md')?.toString() ?? '';
      const html = run.files.get('report.html')?.toString() ?? '';
      if (/<script|<img|\]\(javascript:|!\[i\]\(/i.test(summary))
        return 'summary.md carries live HTML/Markdown';
      if (/<script>alert|<img src=x/i.test(html)) return 'report.html carries live HTML';
      return undefined;
    },
  },
  {
    name: 'token echoed in a JSON body',
    what: 'answers 500 echoing the token raw, base64, hex and URL-encoded',
    behaviour: (env) => {
      const bytes = Buffer.from(env.token);
      const message = `raw ${env.token} b64 ${bytes.toString('base64')} hex ${bytes.toString('hex')} url ${encodeURIComponent(env.token)}`;
      return when((request) => !isPreflight(request), status(500, ERROR('echo', message)));
    },
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 1,
    pastPreflight: true,
  },
  {
    name: 'token echoed in headers',
    what: 'store creation answers 500 with the token in response headers',
    behaviour: (env) =>
      when(
        isCreate,
        status(500, ERROR('echo', 'see headers'), {
          'x-echo-token': env.token,
          'x-echo-authorization': `Bearer ${env.token}`,
          'set-cookie': `t=${env.token}`,
        }),
      ),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 1,
    pastPreflight: true,
  },
  {
    name: 'token echoed in a binary body',
    what: 'store creation answers 500 with binary bytes around the token',
    behaviour: (env) =>
      when(
        isCreate,
        status(
          500,
          Buffer.concat([Buffer.from([0, 1, 2, 255]), Buffer.from(env.token), Buffer.from([0, 254])]),
          {
            'content-type': 'application/octet-stream',
          },
        ),
      ),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 1,
    pastPreflight: true,
  },
  {
    name: 'token echoed in a URL',
    what: 'store creation answers 500 pointing at a URL with ?token=',
    behaviour: (env) =>
      when(
        isCreate,
        status(500, ERROR('echo', `retry at http://evil.example/cb?token=${encodeURIComponent(env.token)}`), {
          location: `http://evil.example/cb?token=${env.token}`,
        }),
      ),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 1,
    pastPreflight: true,
  },
  {
    name: 'token echoed to apify-client',
    what: 'apify-client requests answer 500 echoing the token in message and header',
    behaviour: (env) =>
      when(isClient, status(500, ERROR('echo', `token ${env.token}`), { 'x-echo-token': env.token })),
    args: ['--rule', 'KVS-NOTFOUND-005'],
    exit: 1,
    pastPreflight: true,
  },
  {
    name: 'evil id on create',
    what: 'store creation answers the id ".."',
    behaviour: () =>
      when(isCreate, async (request, res, state) => {
        const created = await state.forward(request);
        const body = JSON.parse(created.body.toString()) as { data: Record<string, unknown> };
        return answer(res, created.status, JSON.stringify({ data: { ...body.data, id: '..' } }));
      }),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 1,
    pastPreflight: true,
    reported: 'never put into a request path',
    check: badDeletes,
  },
  {
    name: 'evil ids in the cleanup listing',
    what: 'the listing names the run\'s stores with ids "..", ".", "~evil" and a valid id it never created',
    behaviour: () =>
      when(isCleanupList, (_request, res, state) => {
        const names = [...state.names];
        const ids = ['..', '.', '~evil', 'AAAAAAAAAAAAAAAAB'];
        return answer(
          res,
          200,
          storeList(
            ids.map((id, i) => store(id, `${names[i % Math.max(1, names.length)] ?? 'x'}x`)),
            ids.length,
          ),
        );
      }),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 0,
    pastPreflight: true,
    check: (run) => badDeletes(run) ?? cleanupListingUnread(run),
  },
  {
    name: 'listing ignores offset',
    what: 'the cleanup listing answers the first page for every offset',
    behaviour: () =>
      when(isCleanupList, (_request, res) =>
        answer(res, 200, storeList([store('AAAAAAAAAAAAAAAAC', 'other')], 1_000_000)),
      ),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 0,
    pastPreflight: true,
    check: cleanupListingUnread,
  },
  {
    name: 'endless listing',
    what: 'the cleanup listing answers 1000 new stores on every page, total 10^9',
    behaviour: () =>
      when(isCleanupList, (request, res) => {
        const offset = Number(new URL(request.path, 'http://x').searchParams.get('offset') ?? 0);
        const items = Array.from({ length: 1000 }, () => store(randomId(), null));
        return answer(res, 200, storeList(items, 1_000_000_000, offset));
      }),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 0,
    pastPreflight: true,
    check: cleanupListingUnread,
  },
  {
    name: 'cleanup listing not JSON',
    what: 'the cleanup listing answers 200 with text that is not JSON',
    behaviour: () => when(isCleanupList, status(200, '<<not json>>')),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 0,
    pastPreflight: true,
    check: cleanupListingUnread,
  },
  {
    name: 'cleanup listing without items',
    what: 'the cleanup listing answers {"data":{"items":{}}}',
    behaviour: () => when(isCleanupList, status(200, '{"data":{"items":{}}}')),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 0,
    pastPreflight: true,
    check: cleanupListingUnread,
  },
  {
    name: 'record redirect to another host',
    what: 'GET record answers 302 to another host (which serves the bytes)',
    behaviour: (env) =>
      when(
        (request) => request.method === 'GET' && request.path.includes('/records/'),
        (request, res) => answer(res, 302, '', { location: `${env.otherHost.url}${request.path}` }),
      ),
    args: ['--rule', 'KVS-RECORD-001'],
    // Exit 1: the target redirects the records of deleted stores too, which the stateful sequences
    // (they cite KVS-RECORD-001) report on KVS-NOTFOUND-004. What is checked here is the token.
    exit: 1,
    pastPreflight: true,
    check: (_run, env) => {
      if (env.otherHost.state.seen.length === 0) return 'the redirect was never followed';
      const leaked = env.otherHost.state.seen.filter((request) =>
        `${request.path} ${JSON.stringify(request.headers)}`.includes(env.token),
      );
      return leaked.length > 0 ? 'the token was sent to the other host' : undefined;
    },
  },
];
