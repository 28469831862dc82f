// KVS-HTTP: HTTP/1.1 framing of the target's keep-alive connections. A server that answers before
// reading a request body (a 404 to a record write into a missing store) must read the rest of the
// body or close the connection (RFC 9112 §9.3); one that does neither reads the body as the next
// request, and every later request on that connection gets a wrong answer or none. That desync is
// judged here, on its own rule, so that it never shows as timeouts of other rules.
import { describe } from 'vitest';
import { expectRule, sendOnOneConnection, useConformance, it } from '../harness/index.ts';

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
