// Dredd hooks for bench/dredd-comparison.ts: give Dredd what a plain OpenAPI run lacks — the
// store and record its example paths name, the token — provoke one 404, one 401 and one
// oversized body (so that Dredd also judges error answers), and skip what it cannot judge alone.
const hooks = require('hooks');
const { execFileSync } = require('node:child_process');

const token = process.env.KVSC_DREDD_TOKEN;
const target = process.env.KVSC_DREDD_TARGET;
/** The record payload limit of the contract (spec x-kvs-max-payload-bytes). */
const PAYLOAD_LIMIT = 9437184;

/** Makes sure the store and record the spec's examples name exist (synchronously, with curl-free Node). */
function ensureFixtures() {
  const script = `
    const base = ${JSON.stringify(target)}, headers = { authorization: 'Bearer ${token}' };
    (async () => {
      await fetch(base + '/v2/key-value-stores?name=dredd-store', { method: 'POST', headers });
      await fetch(base + '/v2/key-value-stores/~dredd-store/records/dredd-record', { method: 'PUT', headers: { ...headers, 'content-type': 'text/plain' }, body: 'hello' });
    })();`;
  execFileSync(process.execPath, ['-e', script]);
}

const isRecordPath = (uri) => /\/records\/[^/?]+(\?|$)/.test(uri);
const isStorePath = (uri) => /^\/v2\/key-value-stores\/[^/?]+(\?|$)/.test(uri);

/**
 * The error answers the hooks provoke, one each: what the request must be changed into so that a
 * correct server gives the documented status.
 */
const PROVOKED = [
  {
    status: 404,
    matches: (t) => t.request.method === 'GET' && isRecordPath(t.request.uri),
    provoke: (t) => {
      // Dredd sends the request to fullPath; request.uri is what it reports.
      t.fullPath = t.fullPath.replace(/\/records\/[^/?]+/, '/records/dredd-missing-record');
      t.request.uri = t.request.uri.replace(/\/records\/[^/?]+/, '/records/dredd-missing-record');
    },
  },
  {
    status: 401,
    matches: (t) => t.request.method === 'GET' && isStorePath(t.request.uri),
    provoke: (t) => {
      t.kvscAnonymous = true;
    },
  },
  {
    status: 413,
    matches: (t) => t.request.method === 'PUT' && isRecordPath(t.request.uri),
    provoke: (t) => {
      t.request.body = 'x'.repeat(PAYLOAD_LIMIT + 1);
      t.request.headers['Content-Type'] = 'application/octet-stream';
    },
  },
];

hooks.beforeEach((transaction, done) => {
  const status = Number(transaction.expected.statusCode);
  const provoked = PROVOKED.find((p) => p.status === status && p.matches(transaction));
  // Dredd sends one request per documented response; only the success answers and the three
  // provoked errors can be caused by the example request, and POST ?name / PUT record answer 200
  // or 201 depending on state.
  if ((status < 200 || status >= 300) && !provoked) transaction.skip = true;
  if (
    transaction.request.method === 'POST' &&
    transaction.request.uri.split('?')[0] === '/v2/key-value-stores' &&
    status === 200
  )
    transaction.skip = true;
  if (
    ['PUT', 'POST'].includes(transaction.request.method) &&
    transaction.request.uri.includes('/records/') &&
    status === 200
  )
    transaction.skip = true;
  // Dredd 14 errors on HEAD transactions (it expects a body to compare).
  if (transaction.request.method === 'HEAD') transaction.skip = true;
  if (provoked && !transaction.skip) provoked.provoke(transaction);
  if (!transaction.kvscAnonymous) transaction.request.headers.Authorization = `Bearer ${token}`;
  if (!transaction.skip) ensureFixtures();
  done();
});
