// Dredd hooks for bench/dredd-comparison.ts: give Dredd what a plain OpenAPI run lacks — the
// store and record its example paths name, the token — and skip what it cannot judge alone.
const hooks = require('hooks');
const { execFileSync } = require('node:child_process');

const token = process.env.KVSC_DREDD_TOKEN;
const target = process.env.KVSC_DREDD_TARGET;

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

hooks.beforeEach((transaction, done) => {
  const status = Number(transaction.expected.statusCode);
  // Dredd sends one request per documented response; only the success answer can be provoked by
  // the example request, and POST ?name / PUT record answer 200 or 201 depending on state.
  if (status < 200 || status >= 300) transaction.skip = true;
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
  transaction.request.headers.Authorization = `Bearer ${token}`;
  if (!transaction.skip) ensureFixtures();
  done();
});
