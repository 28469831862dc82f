// KVS-LIMIT: the record payload limit (x-kvs-max-payload-bytes of the spec). Bodies around the
// limit are streamed from a seeded generator (compressed ones too) and read back by digest, so no
// large payload is held in memory, in this process or (one record at a time) in the target.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe } from 'vitest';
import { expectRule, settingItems, useConformance, type CallExpectation, it } from '../harness/index.ts';
import {
  caseBatchArbitrary,
  caseBatchRuns,
  checkBatch,
  gzippedPayload,
  gzippedRepeat,
  payloadDigest,
  payloadStream,
} from '../generators/index.ts';
import { strongWatchGapMs } from './support/strong-watch-gap.ts';

const kvs = await useConformance('limit');
const { api, http, contract, settings, windowMs } = kvs;
const LIMIT = contract.limits.maxPayloadBytes;
/** The 413 error types the profile allows; undefined: any type in the error envelope (`any`). */
const tooLargeTypes: readonly string[] | undefined = {
  'request-too-large': ['request-too-large'],
  'record-too-large': ['record-too-large'],
  either: ['request-too-large', 'record-too-large'],
}[String(settings.payloadTooLargeErrorType)];

/** PUTs a streamed payload of `size` incompressible bytes (seeded) with identity encoding. */
function putPayload(
  storeId: string,
  recordKey: string,
  size: number,
  seed: number,
  expect?: CallExpectation,
) {
  return api.call('keyValueStore_record_put', {
    storeId,
    recordKey,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
    body: payloadStream(size, seed),
    ...(expect ? { expect } : {}),
  });
}

// Side by side (describe.concurrent): every test works on stores of its own, and an answer about
// one store does not depend on another, so the order of the tests cannot change a verdict.
describe.concurrent(`KVS-LIMIT: the record payload limit (${LIMIT} bytes)`, () => {
  it('KVS-LIMIT-001 bodies of limit − 1 and limit bytes, of any content, are stored and read back byte-exact', async () => {
    const store = await kvs.newStore('at-limit');
    await fc.assert(
      // Both sizes in every case, one after the other (the exact limit is never left to chance),
      // each with bytes of its own: one 9 MiB body in flight at a time.
      fc.asyncProperty(fc.nat(), async (caseSeed) => {
        for (const [index, size] of [LIMIT - 1, LIMIT].entries()) {
          const seed = caseSeed + index;
          const recordKey = kvs.freshKey(`size-${size}`);
          const put = await putPayload(store.id, recordKey, size, seed, {
            ruleId: 'KVS-LIMIT-001',
            status: [200, 201],
            what: `a ${size}-byte body`,
          });
          expectRule(
            put.status === 201 || put.status === 200,
            'KVS-LIMIT-001',
            `a ${size}-byte body answered ${put.status}`,
            [put.exchange],
          );
          // Under `eventual` a new key may still read 404 within the window: wait for the record.
          // Read back by digest: the body is hashed as it arrives, never held.
          const get = await kvs.eventually(
            () => api.call('keyValueStore_record_get', { storeId: store.id, recordKey, digestBody: true }),
            (answer) => answer.status !== 404,
          );
          const readBytes = get.digest?.bytes ?? get.body.length;
          expectRule(
            readBytes === size && get.digest?.sha256 === payloadDigest(size, seed),
            'KVS-LIMIT-001',
            get.status === 200
              ? `the ${size}-byte record read back ${readBytes} bytes${readBytes === size ? ' with other content' : ''}`
              : `the ${size}-byte record did not read back: answered ${get.status}`,
            [put.exchange, get.exchange],
          );
          // The record has been judged: deleted so the target holds one such record at a time, not
          // every case's (the run's cleanup deletes the store anyway; this delete judges nothing).
          await api
            .call('keyValueStore_record_delete', { storeId: store.id, recordKey, unchecked: true })
            .catch(() => undefined);
        }
      }),
      // One case: two bodies of 9 MiB each way, and a third would only repeat what their random
      // bytes already cover.
      { numRuns: 1 },
    );
  });

  it('KVS-LIMIT-002 KVS-LIMIT-003 a body over the limit is refused with 413, and the key keeps its previous value (or stays absent)', async () => {
    // Each case has a store of its own, so the cases of a batch run side by side and their watches
    // below overlap. Every other case first stores a value under the key, so that each batch
    // checks both halves of the rule: the previous value kept, and the key left absent.
    const batch = { maxCases: 8, selector: (c: { seed: number }) => c.seed };
    const overLimitCase = fc.record({ over: fc.integer({ min: 1, max: 64 * 1024 }), seed: fc.nat() });
    await fc.assert(
      fc.asyncProperty(caseBatchArbitrary(overLimitCase, batch), async (cases) =>
        checkBatch(cases, async ({ over, seed }, index) => {
          const existing = index % 2 === 0;
          const store = await kvs.newStore('over-limit');
          if (existing) {
            await http.setRecord(store.id, 'target', Buffer.from('previous value'), 'text/plain');
            // The previous value is settled before the refused write (under eventual; under
            // `strong` the acknowledged write is the state): a lagging first write is not the
            // refused write's doing.
            if (windowMs > 0)
              await kvs.eventually(
                () => http.getRecord(store.id, 'target'),
                (kept) => kept?.value.toString() === 'previous value',
              );
          }
          const put = await putPayload(store.id, 'target', LIMIT + over, seed, {
            ruleId: 'KVS-LIMIT-002',
            status: [413],
            ...(tooLargeTypes ? { errorTypes: tooLargeTypes } : {}),
            what: `a ${LIMIT + over}-byte body (payloadTooLargeErrorType ${String(settings.payloadTooLargeErrorType)})`,
          });
          const type = put.status === 413 ? put.json<{ error?: { type?: string } }>().error?.type : undefined;
          expectRule(
            put.status === 413,
            'KVS-LIMIT-002',
            `a ${LIMIT + over}-byte body answered ${put.status}, expected 413`,
            [put.exchange],
          );
          expectRule(
            tooLargeTypes === undefined ? typeof type === 'string' : tooLargeTypes.includes(type ?? ''),
            'KVS-LIMIT-002',
            `the 413 has type ${JSON.stringify(type)}; payloadTooLargeErrorType allows ${tooLargeTypes?.join(', ') ?? 'any type in the error envelope'}`,
            [put.exchange],
          );
          // Watched for the consistency window (and at least the settle time): on an eventually
          // consistent store a stale read would show the previous value even if the refused body
          // had been stored, and would hide it. Under strong no read may show the refused body:
          // fewer reads over the same time (strongWatchGapMs).
          const watch = await kvs.watch(
            () => http.getRecord(store.id, 'target'),
            (kept) => (existing ? kept?.value.toString() === 'previous value' : kept === undefined),
            Math.max(windowMs, Number(settings.consistencySettleMs)),
            strongWatchGapMs(settings),
          );
          expectRule(
            watch.outcome === 'held',
            'KVS-LIMIT-003',
            `${watch.afterMs} ms after the refused write the key holds ${watch.last ? `${watch.last.value.length} bytes` : 'nothing'}; it held ${existing ? 'the previous value' : 'nothing'}`,
            [put.exchange],
          );
          const expectedKeys = JSON.stringify(existing ? ['target'] : []);
          const listed = await kvs.eventually(
            () => http.listKeys(store.id),
            (page) => JSON.stringify(page.items.map((item) => item.key)) === expectedKeys,
          );
          const keys = listed.items.map((item) => item.key);
          expectRule(
            JSON.stringify(keys) === expectedKeys,
            'KVS-LIMIT-003',
            `after the refused write the store lists ${JSON.stringify(keys)}`,
          );
        }),
      ),
      // About four cases: each sends a body over the limit.
      { numRuns: caseBatchRuns(Math.min(kvs.context.runs, 4), batch.maxCases) },
    );
  });

  const counts = String(settings.payloadLimitCounts);
  // Under `either` only the cases on which both readings (bytes as sent, bytes after decoding)
  // agree are checked; the title says which case is left out.
  const readings =
    counts === 'either'
      ? 'under the limit both as sent and decoded is accepted, one over it both ways is refused with 413 and not stored (payloadLimitCounts either: the body small on the wire and over the limit decoded is left out, the readings disagree on it)'
      : `is measured by its ${counts} bytes (and one under or over the limit both ways is accepted or refused alike)`;
  // A gzip body: only for a server that decodes gzip (contentEncodings).
  it.runIf(settingItems(settings.contentEncodings).includes('gzip'))(
    `KVS-LIMIT-004 a compressed body ${readings}`,
    async () => {
      const store = await kvs.newStore('compressed');
      const accepted = (status: number): boolean => status === 201 || status === 200;
      // Both under: a small gzip body of a small value.
      const smallValue = Buffer.alloc(64 * 1024, 'a');
      const small = await api.call('keyValueStore_record_put', {
        storeId: store.id,
        recordKey: 'both-under',
        headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' },
        body: gzipSync(smallValue),
      });
      expectRule(
        accepted(small.status),
        'KVS-LIMIT-004',
        `a gzip body under the limit as sent and decoded (${smallValue.length} bytes decoded) answered ${small.status}`,
        [small.exchange],
      );
      // Both over: gzip in stored blocks, so the body is over the limit as sent too; generated as it
      // is sent, its length known beforehand (the content plays no part in the verdict).
      const overDecoded = LIMIT + 64 * 1024;
      const overBody = gzippedPayload(overDecoded, overDecoded);
      const over = await api.call('keyValueStore_record_put', {
        storeId: store.id,
        recordKey: 'both-over',
        headers: {
          'content-type': 'application/octet-stream',
          'content-encoding': 'gzip',
          'content-length': String(overBody.length),
        },
        body: overBody.stream(),
      });
      expectRule(
        over.status === 413,
        'KVS-LIMIT-004',
        `a gzip body over the limit as sent (${overBody.length} bytes) and decoded (${overDecoded} bytes) answered ${over.status}, expected 413`,
        [over.exchange],
      );
      const kept = await http.getRecord(store.id, 'both-over');
      expectRule(
        kept === undefined,
        'KVS-LIMIT-004',
        `after the refused gzip body the key holds ${kept?.value.length ?? 0} bytes; nothing may be stored`,
        [over.exchange],
      );
      if (counts === 'either') return;
      // Small on the wire, over the limit once decompressed: the two readings disagree here.
      const decodedSize = LIMIT + 1024 * 1024;
      const body = await gzippedRepeat(decodedSize, 'a');
      const put = await api.call('keyValueStore_record_put', {
        storeId: store.id,
        recordKey: 'compressed',
        headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' },
        body,
      });
      const countsEncoded = counts === 'encoded';
      expectRule(
        countsEncoded ? accepted(put.status) : put.status === 413,
        'KVS-LIMIT-004',
        `a gzip body of ${body.length} bytes (${decodedSize} decoded) answered ${put.status}; payloadLimitCounts is ${counts}; if the server counts the bytes another way, declare it with --payload-limit-counts (encoded, decoded or either)`,
        [put.exchange],
      );
      if (countsEncoded) {
        // Its length by digest: the decoded record is not held here.
        const read = await kvs.eventually(
          () =>
            api.call('keyValueStore_record_get', {
              storeId: store.id,
              recordKey: 'compressed',
              digestBody: true,
            }),
          (answer) => answer.status !== 404,
        );
        const readBytes = read.status === 200 ? read.digest?.bytes : undefined;
        expectRule(
          readBytes === decodedSize,
          'KVS-LIMIT-004',
          `the accepted compressed record reads back ${readBytes ?? `status ${read.status}, no`} bytes, expected ${decodedSize}`,
          [read.exchange],
        );
      }
    },
  );
});
