// KVS-HTTP: HTTP/1.1 framing of the target's keep-alive connections. A server that answers before
// reading a request body (a 404 to a record write into a missing store) must read the rest of the
// body or close the connection (RFC 9112 §9.3); one that does neither reads the body as the next
// request, and every later request on that connection gets a wrong answer or none. That desync is
// judged here, on its own rule, so that it never shows as timeouts of other rules. So is content
// after the head of an answer that has none (KVS-SCHEMA-006): the harness's client drops it unseen,
// a client that keeps the connection reads it as its next answer.
import { describe } from 'vitest';
import {
  expectRule,
  PROBE_QUIET_MS,
  sendOnOneConnection,
  sendRawProbe,
  useConformance,
  it,
  type RawProbeResult,
} from '../harness/index.ts';

const kvs = await useConformance('http');
const { api, http } = kvs;

const recordPath = (storeId: string, key: string): string =>
  `/v2/key-value-stores/${encodeURIComponent(storeId)}/records/${encodeURIComponent(key)}`;

describe('KVS-HTTP: keep-alive connections after early answers', () => {
  it('KVS-HTTP-001 after a 404 to a record write into a missing store, sent before the body was read, the same keep-alive connection serves the next request correctly or is closed', async () => {
    const store = await kvs.newStore('keep-alive');
    const value = 'the value read on the same connection';
    await http.setRecord(store.id, 'probe', Buffer.from(value), 'text/plain');
    // The probe must be readable before the connection is judged: a new key that reads 404 at first
    // is KVS-CONS-001's (the HTTP API throws it), never a desync of this rule.
    await kvs.eventually(
      () => http.getRecord(store.id, 'probe'),
      (record) => record?.value.toString() === value,
    );
    // A missing store whatever the target's id format: one made and deleted.
    const gone = await kvs.newStore('gone');
    await http.deleteStore(gone.id);
    const { host } = new URL(kvs.context.targetUrl);
    // The body of the write is the start of a request (to a record of the missing store) that
    // ends in an open header line: a server that reads the unread body as the next request waits
    // for the rest of it, takes the second request below as that header's value and the end of
    // that request, and answers the smuggled request instead of the second one.
    const smuggled = `GET ${recordPath(gone.id, 'read-as-a-request')} HTTP/1.1\r\nHost: ${host}\r\nX-Kvs-Unread-Body: `;
    const { exchanges, reused } = await sendOnOneConnection(api.client, [
      {
        method: 'PUT',
        path: recordPath(gone.id, 'write'),
        headers: { 'content-type': 'text/plain' },
        body: smuggled,
        operationId: 'keyValueStore_record_put',
      },
      { method: 'GET', path: recordPath(store.id, 'probe'), operationId: 'keyValueStore_record_get' },
    ]);
    const [write, read] = exchanges;
    if (write === undefined || read === undefined) throw new Error('sendOnOneConnection lost an exchange');
    const sameConnection = reused[0] === true;
    const answer = read.response;
    const readBack = answer?.status === 200 && answer.body.toString('utf8') === value;
    expectRule(
      readBack,
      'KVS-HTTP-001',
      answer === undefined
        ? `GET ${recordPath(store.id, 'probe')}, sent ${sameConnection ? 'on the keep-alive connection' : 'after the connection was closed'} that just carried a write answered ${write.response?.status ?? '(no answer)'} into a missing store, got no answer (${read.error ?? ''}): ` +
            `a server that answers before reading a body has to read the rest of it or close the connection (RFC 9112 §9.3); leaving it in the connection desyncs every later request on it`
        : `GET ${recordPath(store.id, 'probe')}, sent ${sameConnection ? 'on the same keep-alive connection' : 'on a new connection'} after a write answered ${write.response?.status ?? '(no answer)'} into a missing store, was answered ${answer.status} (${JSON.stringify(answer.bodyExcerpt.slice(0, 120))}) instead of 200 with the record: ` +
            `the server read the unread body of the write as the next request (RFC 9112 §9.3: read the whole body or close the connection)`,
      [write, read],
    );
  });
});

/** How the probe's reading ended, as a clause of a failure message. */
const endedAs = (probe: RawProbeResult): string =>
  ({
    closed: 'before the target closed the connection',
    reset: 'before the target reset the connection',
    quiet: `and then kept the connection open (although asked to close it) with nothing more for ${PROBE_QUIET_MS} ms`,
    timeout: 'and was still sending when the timeout passed',
    cap: 'past the response size cap, when the probe stopped reading',
    none: '',
  })[probe.ended ?? 'none'];

describe('KVS-SCHEMA-006: no content after the head of an answer to HEAD or a 204', () => {
  it('KVS-SCHEMA-006 the answers to HEAD of an existing and of a missing record, and the 204 of its delete, are followed by no bytes on the connection', async () => {
    const store = await kvs.newStore('head-body');
    await http.setRecord(
      store.id,
      'present',
      Buffer.from('a record whose body no answer to HEAD may carry'),
      'text/plain',
    );
    const record = (recordKey: string) => ({ storeId: store.id, recordKey });
    // A socket of the harness's own per request: the HTTP client reads no content for HEAD or 204
    // and closes the connection after HEAD, so it would never see bytes sent there.
    const probes = [
      { method: 'HEAD', operationId: 'keyValueStore_record_head', call: record('present') },
      { method: 'HEAD', operationId: 'keyValueStore_record_head', call: record('never-written') },
      { method: 'DELETE', operationId: 'keyValueStore_record_delete', call: record('present') },
    ];
    const results: RawProbeResult[] = [];
    for (const { method, operationId, call } of probes)
      results.push(
        await sendRawProbe(api.client, { method, path: api.path(operationId, call), operationId }),
      );
    const unanswered = results.filter((result) => result.exchange.response === undefined);
    expectRule(
      unanswered.length === 0,
      'KVS-SCHEMA-001',
      unanswered
        .map(
          ({ exchange }) =>
            `${exchange.request.method} ${exchange.request.url} got no answer: ${exchange.error ?? ''}`,
        )
        .join('\n'),
      unanswered.map((result) => result.exchange),
    );
    const withContent = results.filter(
      ({ exchange, bytesAfterHead }) =>
        (exchange.request.method === 'HEAD' || exchange.response?.status === 204) && bytesAfterHead > 0,
    );
    expectRule(
      withContent.length === 0,
      'KVS-SCHEMA-006',
      withContent
        .map((probe) => {
          const { request, response } = probe.exchange;
          const head = request.method === 'HEAD';
          return (
            `${request.method} ${request.url} (sent with Connection: close) was answered ${response?.status ?? ''} ` +
            `and ${probe.bytesAfterHead} more byte(s) after the head (${JSON.stringify(response?.bodyExcerpt.slice(0, 120) ?? '')}) ${endedAs(probe)}: ` +
            (head
              ? 'RFC 9110 §9.3.2: "The HEAD method is identical to GET except that the server MUST NOT send content in the response." '
              : 'RFC 9110 §15.3.5: "A 204 response is terminated by the end of the header section; it cannot contain content or trailers." ') +
            'A client that keeps the connection open after this answer (curl, Python http.client, Go) reads those bytes as the start of its next answer, so every later answer on that connection is wrong.'
          );
        })
        .join('\n'),
      withContent.map((probe) => probe.exchange),
      { bytesAfterHead: withContent.map((probe) => probe.bytesAfterHead) },
    );
  });
});
