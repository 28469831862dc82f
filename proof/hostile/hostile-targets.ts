import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { secretForms } from '../../harness/http/redact.ts';
import { startServer } from '../../server/index.ts';
import {
  answer,
  startHostileServer,
  type Behaviour,
  type HostileServer,
  type SeenRequest,
} from './hostile-server.ts';

const CLI = fileURLToPath(new URL('../../bin/kvs-conformance.js', import.meta.url));
const TIME = '/usr/bin/time';

/** The report files a run that got past the preflight always writes. */
export const REPORT_FILE_NAMES = ['report.json', 'junit.xml', 'summary.md', 'report.html'] as const;

/** What a case's behaviour can use: the run's token and a second host to redirect to. */
export interface CaseEnv {
  readonly token: string;
  /** Another host (it serves the correct answers, adding the token itself, like a pre-signed URL). */
  readonly otherHost: HostileServer;
}

/** One misbehaving target, and what the harness must do about it. */
export interface HostileCase {
  readonly name: string;
  /** The misbehaviour, in a few words. */
  readonly what: string;
  /** `closed-port` for a target that is not listening at all. */
  readonly behaviour: ((env: CaseEnv) => Behaviour) | 'closed-port';
  /** Which rules to run (and any other flags), keeping the case short. */
  readonly args: readonly string[];
  /** The exit code by its documented meaning: 0 pass, 1 a rule failed, 2 tool error. */
  readonly exit: 0 | 1 | 2;
  /** Whether the run gets past the preflight (then every report file is written). */
  readonly pastPreflight: boolean;
  /** What the output (stdout and stderr) must say. */
  readonly says?: RegExp;
  /** Text every report file and stdout must carry (stores left, cleanup problems). */
  readonly reported?: string;
  /** Further checks on what the target saw; returns the problem, if any. */
  readonly check?: (run: HostileRun, env: CaseEnv) => string | undefined;
}

/** What one case's run produced. */
export interface HostileRun {
  readonly exit: number | null;
  readonly wallMs: number;
  /** Peak RSS of the largest process of the run (the CLI or a test worker), when measured. */
  readonly peakRssKb: number | undefined;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  /** Every file the run left in its output folder (and the step summary). */
  readonly files: ReadonlyMap<string, Buffer>;
  /** What the hostile target received. */
  readonly seen: readonly SeenRequest[];
}

const ERROR = (type: string, message: string): string => JSON.stringify({ error: { type, message } });
const PREFLIGHT = '/v2/key-value-stores?limit=1';
const isPreflight = (request: SeenRequest): boolean => request.method === 'GET' && request.path === PREFLIGHT;
const isClient = (request: SeenRequest): boolean =>
  (request.headers['user-agent'] ?? '').includes('ApifyClient');
const isCreate = (request: SeenRequest): boolean =>
  request.method === 'POST' && request.path.startsWith('/v2/key-value-stores?');
const isStoreList = (request: SeenRequest): boolean =>
  request.method === 'GET' && /^\/v2\/key-value-stores(\?|$)/.test(request.path) && !isPreflight(request);
const isCleanupList = (request: SeenRequest): boolean =>
  isStoreList(request) && new URL(request.path, 'http://x').searchParams.get('limit') === '1000';
const when =
  (match: (request: SeenRequest) => boolean, act: Behaviour): Behaviour =>
  (request, res, state) =>
    match(request) ? act(request, res, state) : false;

/** Never answers. */
const hang: Behaviour = () => true;
/** Drops the connection without an answer. */
const reset: Behaviour = (_request, res) => {
  res.socket?.destroy();
  return true;
};
/** Sends headers, then one byte of the body every 300 ms, forever. */
const drip: Behaviour = (_request, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  const timer = setInterval(() => res.write(' '), 300);
  res.on('close', () => clearInterval(timer));
  return true;
};
/** A 100 KB header. */
const hugeHeader: Behaviour = (_request, res) =>
  answer(res, 200, '{}', { 'content-type': 'application/json', 'x-big': 'x'.repeat(100_000) });
/** Announces and streams 1 GiB of JSON-looking bytes until the client hangs up. */
const gigabyte: Behaviour = (_request, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(1 << 30) });
  const chunk = Buffer.alloc(1 << 16, 0x20);
  let sent = 0;
  const pump = (): void => {
    while (sent < 1 << 30 && !res.destroyed) {
      sent += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
  return true;
};
/**
 * 512 MiB of spaces as gzip (about 520 KB on the wire): 512 gzip members of 1 MiB each, which a
 * gzip reader inflates one after the other. Built in milliseconds, so the server never stalls.
 */
const BOMB = ((): Buffer => {
  const member = gzipSync(Buffer.alloc(1 << 20, 0x20), { level: 9 });
  return Buffer.concat(Array.from({ length: 512 }, () => member));
})();
const gzipBomb: Behaviour = (_request, res) =>
  answer(res, 200, BOMB, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
const status =
  (code: number, body: Buffer | string, headers: Record<string, string> = {}): Behaviour =>
  (_request, res) =>
    answer(res, code, body, { 'content-type': 'application/json', ...headers });

/** A store list page of `items`, claiming `total` stores. */
const storeList = (items: readonly object[], total: number, offset = 0): string =>
  JSON.stringify({ data: { total, offset, limit: 1000, count: items.length, desc: false, items } });
const store = (id: string, name: string | null): object => ({
  id,
  name,
  userId: 'AAAAAAAAAAAAAAAAA',
  createdAt: '2026-01-01T00:00:00.000Z',
  modifiedAt: '2026-01-01T00:00:00.000Z',
  accessedAt: '2026-01-01T00:00:00.000Z',
});
const randomId = (): string => randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').slice(0, 17);

/** Paths the harness must never send a DELETE to (what `..`, `.` and friends turn into). */
const badDeletes = (run: HostileRun): string | undefined => {
  const bad = run.seen.filter(
    (request) =>
      request.method === 'DELETE' && !/^\/v2\/key-value-stores\/[A-Za-z0-9]{17}(\/|\?|$)/.test(request.path),
  );
  return bad.length > 0 ? `DELETE sent to ${bad.map((request) => request.path).join(', ')}` : undefined;
};

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
    reported: 'not in its journal: not deleted',
    check: badDeletes,
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
    reported: 'ignores offset',
    check: (run) => {
      const listings = run.seen.filter(isCleanupList).length;
      return listings > 3 ? `the cleanup listing was read ${listings} times` : undefined;
    },
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
    reported: 'did not end after 20 pages',
  },
  {
    name: 'cleanup listing not JSON',
    what: 'the cleanup listing answers 200 with text that is not JSON',
    behaviour: () => when(isCleanupList, status(200, '<<not json>>')),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 0,
    pastPreflight: true,
    reported: 'is not JSON',
  },
  {
    name: 'cleanup listing without items',
    what: 'the cleanup listing answers {"data":{"items":{}}}',
    behaviour: () => when(isCleanupList, status(200, '{"data":{"items":{}}}')),
    args: ['--rule', 'KVS-PAGE-001'],
    exit: 0,
    pastPreflight: true,
    reported: 'has no items array',
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

/**
 * The base64 of the token at each of the three byte alignments it can have inside a longer body
 * (standard and URL-safe alphabets), without the edge characters that depend on neighbouring bytes.
 */
function shiftedBase64(token: string): string[] {
  const bytes = Buffer.from(token);
  return [0, 1, 2].flatMap((shift) => {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes])
      .toString('base64')
      .replace(/=+$/, '');
    const head = [0, 2, 3][shift] ?? 0;
    const tail = (shift + bytes.length) % 3 === 0 ? 0 : 1;
    const core = encoded.slice(head, encoded.length - tail);
    return [core, core.replace(/\+/g, '-').replace(/\//g, '_')];
  });
}

/** Every spelling of the token a file or stream could carry (raw, URL-encoded, base64 at any alignment, hex). */
export function tokenHits(token: string, outputs: ReadonlyMap<string, Buffer>): string[] {
  const hits: string[] = [];
  const forms = [...new Set([...secretForms(token), ...shiftedBase64(token)])];
  for (const [name, bytes] of outputs) {
    for (const form of forms) {
      if (bytes.includes(Buffer.from(form))) hits.push(`${name}: ${form}`);
    }
  }
  return hits;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function readOutputs(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(dir)) files.set(name, readFileSync(join(dir, name)));
  return files;
}

/**
 * Runs the CLI against one hostile target (a real server on 127.0.0.1 in front of a reference
 * server that knows the run's token) and returns what came out. With `measure`, the CLI runs under
 * GNU time for its peak RSS.
 */
export async function runHostileCase(
  testCase: HostileCase,
  options: { readonly measure?: boolean } = {},
): Promise<{ readonly run: HostileRun; readonly env: CaseEnv; readonly token: string }> {
  const token = `kvsc-hostile-${randomBytes(16).toString('hex')}`;
  const reference = await startServer({ tokens: [token] });
  const otherHost = await startHostileServer(reference.url, async (request, res, state) => {
    const served = await state.forward({
      ...request,
      headers: { ...request.headers, authorization: `Bearer ${token}` },
    });
    return answer(res, served.status, served.body, served.headers);
  });
  const env: CaseEnv = { token, otherHost };
  const hostile =
    testCase.behaviour === 'closed-port'
      ? undefined
      : await startHostileServer(reference.url, testCase.behaviour(env));
  const target = hostile?.url ?? `http://127.0.0.1:${await freePort()}`;
  const out = mkdtempSync(join(tmpdir(), 'kvsc-hostile-'));
  const stepSummary = join(out, 'github-step-summary.md');
  const measure = options.measure === true && existsSync(TIME);
  const args = [
    CLI,
    'run',
    '--target',
    target,
    '--seed',
    '1',
    '--runs',
    '2',
    '--timeout',
    '3s',
    '--out',
    out,
    ...testCase.args,
  ];
  const { GITHUB_STEP_SUMMARY: _summary, ...inherited } = process.env;
  void _summary;
  const started = performance.now();
  const child = spawn(
    measure ? TIME : process.execPath,
    measure ? ['-f', 'kvsc-peak-rss-kb=%M', process.execPath, ...args] : args,
    {
      env: { ...inherited, APIFY_TOKEN: token, FORCE_COLOR: '0', GITHUB_STEP_SUMMARY: stepSummary },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const exit = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const wallMs = Math.round(performance.now() - started);
  try {
    const errText = Buffer.concat(stderr).toString();
    const peak = /kvsc-peak-rss-kb=(\d+)/.exec(errText)?.[1];
    return {
      token,
      env,
      run: {
        exit,
        wallMs,
        peakRssKb: peak === undefined ? undefined : Number(peak),
        stdout: Buffer.concat(stdout),
        stderr: Buffer.from(errText.replace(/kvsc-peak-rss-kb=\d+\n?/, '')),
        files: readOutputs(out),
        seen: hostile?.state.seen ?? [],
      },
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
    await hostile?.close();
    await otherHost.close();
    await reference.close();
  }
}
