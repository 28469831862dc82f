// KVS-RECORD: record values, keys, encodings and store metadata; KVS-SCHEMA-007 timestamps.
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe } from 'vitest';
import {
  expectRule,
  mediaTypeOf,
  readZipEntries,
  settingItems,
  settingStatuses,
  useConformance,
  type StoreInfo,
  it,
} from '../harness/index.ts';
import {
  invalidRecordKeyArbitrary,
  longestRecordKeyArbitrary,
  recordKeyArbitrary,
  recordValueArbitrary,
} from '../generators/index.ts';
import { contentEncodingsHint, refusedValueWrite } from './support/content-encodings-hint.ts';

const kvs = await useConformance('record');
const { api, http, client, contract, settings } = kvs;
const key = recordKeyArbitrary(contract.limits);
/**
 * The body of a record write as recordWriteBody allows it: the official document types the 201
 * body as an object (example {}), so `object` accepts any JSON object or no body; `empty-object`
 * (the platform) exactly {}.
 */
function writeBodyAllowed(body: Buffer): boolean {
  if (body.length === 0) return settings.recordWriteBody !== 'empty-object';
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return false;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return false;
  return settings.recordWriteBody !== 'empty-object' || Object.keys(parsed).length === 0;
}

const ENCODERS = { gzip: gzipSync, br: brotliCompressSync, deflate: deflateSync } as const;

// Side by side (describe.concurrent): every test works on stores of its own, and an answer about
// one store does not depend on another, so the order of the tests cannot change a verdict.
describe.concurrent('KVS-RECORD: records', () => {
  it('KVS-RECORD-001 KVS-RECORD-002 a new record answers 201 (with the body recordWriteBody allows) and reads back byte-exact with its Content-Type', async () => {
    const store = await kvs.newStore('round-trip');
    await fc.assert(
      fc.asyncProperty(key, recordValueArbitrary(), async (base, { value, contentType }) => {
        const recordKey = kvs.freshKey(base);
        const put = await api.call('keyValueStore_record_put', {
          storeId: store.id,
          recordKey,
          headers: { 'content-type': contentType },
          body: value,
          expect: { ruleId: 'KVS-RECORD-002', status: [201], what: `writing new key ${recordKey}` },
        });
        expectRule(
          writeBodyAllowed(put.body),
          'KVS-RECORD-002',
          `writing ${recordKey} answered the body ${JSON.stringify(put.body.toString().slice(0, 80))}; recordWriteBody ${String(settings.recordWriteBody)} allows ${settings.recordWriteBody === 'empty-object' ? 'exactly {}' : 'a JSON object or no body'}`,
          [put.exchange],
        );
        // Under eventual a new key's lag is KVS-CONS-001's to judge: wait for the record (one read under strong).
        const get = await kvs.eventually(
          () => api.call('keyValueStore_record_get', { storeId: store.id, recordKey }),
          (answer) => answer.status !== 404,
        );
        expectRule(
          get.status === 200 && get.body.equals(value),
          'KVS-RECORD-001',
          get.status === 200
            ? `${recordKey} read back ${get.body.length} bytes differing from the ${value.length} written`
            : `${recordKey} did not read back: answered ${get.status}`,
          [put.exchange, get.exchange],
        );
        expectRule(
          mediaTypeOf(get.headers['content-type'] ?? '') === mediaTypeOf(contentType),
          'KVS-RECORD-001',
          `${recordKey} was written as ${contentType} and read back as ${get.headers['content-type']}`,
          [get.exchange],
        );
      }),
    );
  });

  it(`KVS-RECORD-003 an overwrite answers as recordOverwriteStatus says and replaces the value`, async () => {
    const store = await kvs.newStore('overwrite');
    const allowed = settingStatuses(contract.profiles, settings, 'recordOverwriteStatus');
    await fc.assert(
      fc.asyncProperty(
        key,
        recordValueArbitrary(),
        recordValueArbitrary(),
        async (recordKey, first, second) => {
          await http.setRecord(store.id, recordKey, first.value, first.contentType);
          const put = await api.call('keyValueStore_record_put', {
            storeId: store.id,
            recordKey,
            headers: { 'content-type': second.contentType },
            body: second.value,
            expect: { ruleId: 'KVS-RECORD-003', status: allowed, what: `overwriting ${recordKey}` },
          });
          expectRule(
            allowed.includes(put.status),
            'KVS-RECORD-003',
            `overwriting ${recordKey} answered ${put.status}; allowed ${allowed.join(' or ')}`,
            [put.exchange],
          );
          const read = await kvs.eventually(
            () => http.getRecord(store.id, recordKey),
            (record) => record?.value.equals(second.value) === true,
          );
          expectRule(
            read?.value.equals(second.value) === true,
            'KVS-RECORD-003',
            `after the overwrite ${recordKey} holds ${read?.value.length ?? 'no'} bytes, not the ${second.value.length} written last`,
            [put.exchange],
          );
        },
      ),
    );
  });

  it('KVS-RECORD-004 POST record stores exactly as PUT does, on new and on existing keys', async () => {
    const store = await kvs.newStore('post');
    const overwriteStatuses = settingStatuses(contract.profiles, settings, 'recordOverwriteStatus');
    await fc.assert(
      fc.asyncProperty(
        key,
        fc.boolean(),
        recordValueArbitrary(),
        async (base, existing, { value, contentType }) => {
          const recordKey = kvs.freshKey(base);
          if (existing) await http.setRecord(store.id, recordKey, Buffer.from('earlier value'), 'text/plain');
          // As PUT: 201 for a new key, the profile's overwrite status for an existing one.
          const post = await api.call('keyValueStore_record_post', {
            storeId: store.id,
            recordKey,
            headers: { 'content-type': contentType },
            body: value,
            expect: {
              ruleId: 'KVS-RECORD-004',
              status: existing ? overwriteStatuses : [201],
              what: `POST of ${existing ? 'existing' : 'new'} key ${recordKey}`,
            },
          });
          const read = await kvs.eventually(
            () => http.getRecord(store.id, recordKey),
            (record) => record?.value.equals(value) === true,
          );
          expectRule(
            read?.value.equals(value) === true && mediaTypeOf(read.contentType) === mediaTypeOf(contentType),
            'KVS-RECORD-004',
            `POSTed ${existing ? 'existing' : 'new'} ${recordKey} reads back ${read ? `${read.value.length} bytes as ${read.contentType}` : 'nothing'}, not the ${value.length} bytes of ${contentType} written`,
            [post.exchange],
          );
        },
      ),
    );
  });

  // Under contentEncodings none the rule does not apply (spec/rules.yaml `when`).
  it.runIf(settingItems(settings.contentEncodings).length > 0)(
    'KVS-RECORD-005 gzip, br and deflate bodies are accepted and read back as the original bytes',
    async () => {
      const store = await kvs.newStore('encodings');
      await fc.assert(
        fc.asyncProperty(
          key,
          recordValueArbitrary(2048),
          // Only the codings the profile says the server decodes (contentEncodings); none: the rule is skipped.
          fc.constantFrom(
            ...(Object.keys(ENCODERS) as (keyof typeof ENCODERS)[]).filter((coding) =>
              settingItems(settings.contentEncodings).includes(coding),
            ),
          ),
          async (base, { value, contentType }, encoding) => {
            const recordKey = kvs.freshKey(base);
            const put = await api.call('keyValueStore_record_put', {
              storeId: store.id,
              recordKey,
              headers: { 'content-type': contentType, 'content-encoding': encoding },
              body: ENCODERS[encoding](value),
              expect: {
                ruleId: 'KVS-RECORD-005',
                status: [200, 201],
                what: `a ${encoding} body`,
                hint: contentEncodingsHint(settings.contentEncodings, encoding),
              },
            });
            // "a reader that does not accept that encoding": identity only (RFC 9110 §12.5.3: a request
            // without Accept-Encoding accepts any coding, so one must be sent).
            const get = await kvs.eventually(
              () =>
                api.call('keyValueStore_record_get', {
                  storeId: store.id,
                  recordKey,
                  headers: { 'accept-encoding': 'identity' },
                }),
              (answer) => answer.status !== 404,
            );
            expectRule(
              get.status === 200 && get.body.equals(value) && !get.headers['content-encoding'],
              'KVS-RECORD-005',
              get.status === 200
                ? `a ${encoding} upload read back ${get.body.length} bytes (Content-Encoding ${get.headers['content-encoding'] ?? 'none'}) instead of the ${value.length} original bytes${contentEncodingsHint(settings.contentEncodings, encoding)}`
                : `a ${encoding} upload did not read back: answered ${get.status}`,
              [put.exchange, get.exchange],
            );
          },
        ),
      );
    },
  );

  it('KVS-RECORD-006 an unsupported Content-Encoding is refused with 415 and stores nothing', async () => {
    const store = await kvs.newStore('bad-encoding');
    await fc.assert(
      fc.asyncProperty(
        key,
        // Codings no server supports. Not stacked known codings such as "gzip, br" (a server that
        // supports both tries to decode the body and may answer 400; the docs say nothing of that),
        // nor real codings a server may support (zstd).
        fc.constantFrom('bla', 'x-custom', 'x-kvs-unknown', 'snappy'),
        async (recordKey, encoding) => {
          const put = await api.call('keyValueStore_record_put', {
            storeId: store.id,
            recordKey,
            headers: { 'content-type': 'text/plain', 'content-encoding': encoding },
            body: 'plain',
            expect: {
              ruleId: 'KVS-RECORD-006',
              status: [415],
              errorTypes: ['unsupported-content-encoding'],
              what: `Content-Encoding "${encoding}"`,
            },
          });
          expectRule(
            (await http.getRecord(store.id, recordKey)) === undefined,
            'KVS-RECORD-006',
            `the refused ${recordKey} was stored anyway`,
            [put.exchange],
          );
        },
      ),
    );
  });

  it("KVS-RECORD-007 every key of 1 to 256 characters of a-zA-Z0-9!-_.'() is accepted, the longest included", async () => {
    const store = await kvs.newStore('valid-keys');
    await fc.assert(
      fc.asyncProperty(fc.oneof(key, longestRecordKeyArbitrary(contract.limits)), async (recordKey) => {
        const put = await api.call('keyValueStore_record_put', {
          storeId: store.id,
          recordKey,
          headers: { 'content-type': 'text/plain' },
          body: recordKey,
          expect: {
            ruleId: 'KVS-RECORD-007',
            status: [200, 201],
            what: `valid key ${JSON.stringify(recordKey)}`,
          },
        });
        expectRule(
          (
            await kvs.eventually(
              () => http.getRecord(store.id, recordKey),
              (record) => record?.value.toString() === recordKey,
            )
          )?.value.toString() === recordKey,
          'KVS-RECORD-007',
          `valid key ${JSON.stringify(recordKey)} does not read back`,
          [put.exchange],
        );
      }),
    );
  });

  it('KVS-RECORD-008 a key outside the pattern is refused with 400 invalid-record-key and nothing is stored', async () => {
    const store = await kvs.newStore('invalid-keys');
    await fc.assert(
      fc.asyncProperty(invalidRecordKeyArbitrary(contract.limits), async (recordKey) => {
        const put = await api.call('keyValueStore_record_put', {
          storeId: store.id,
          recordKey,
          headers: { 'content-type': 'text/plain' },
          body: 'x',
        });
        const type = put.status === 400 ? put.json<{ error: { type: string } }>().error.type : undefined;
        expectRule(
          put.status === 400 && type === 'invalid-record-key',
          'KVS-RECORD-008',
          `invalid key ${JSON.stringify(recordKey)} answered ${put.status} ${type ?? ''}, expected 400 invalid-record-key`,
          [put.exchange],
        );
        const keys = await http.listKeys(store.id);
        expectRule(
          keys.items.length === 0,
          'KVS-RECORD-008',
          `after refusing ${JSON.stringify(recordKey)} the store lists ${JSON.stringify(keys.items.map((i) => i.key))}`,
          [put.exchange],
        );
      }),
    );
  });

  it('KVS-RECORD-009 KVS-RECORD-010 a deleted record answers 204 and is gone from reads and listings; an existing one answers HEAD 200 without a body', async () => {
    const store = await kvs.newStore('delete');
    await fc.assert(
      fc.asyncProperty(key, recordValueArbitrary(), async (base, { value, contentType }) => {
        const recordKey = kvs.freshKey(base);
        await http.setRecord(store.id, recordKey, value, contentType);
        // Under eventual a new key's lag is KVS-CONS-001's to judge: wait for the record. Under
        // strong the HEAD below is the read (a missing record fails it either way).
        if (kvs.windowMs > 0)
          await kvs.eventually(
            () => http.getRecord(store.id, recordKey),
            (record) => record !== undefined,
          );
        const head = await api.call('keyValueStore_record_head', {
          storeId: store.id,
          recordKey,
          expect: { ruleId: 'KVS-RECORD-010', status: [200], what: `HEAD of existing ${recordKey}` },
        });
        expectRule(
          head.body.length === 0,
          'KVS-RECORD-010',
          `HEAD of existing ${recordKey} answered ${head.status} with ${head.body.length} bytes`,
          [head.exchange],
        );
        const deleted = await api.call('keyValueStore_record_delete', {
          storeId: store.id,
          recordKey,
          expect: { ruleId: 'KVS-RECORD-009', status: [204], what: `DELETE of ${recordKey}` },
        });
        expectRule(
          (await kvs.eventually(
            () => http.getRecord(store.id, recordKey),
            (record) => record === undefined,
          )) === undefined,
          'KVS-RECORD-009',
          `${recordKey} still reads after its delete`,
          [deleted.exchange],
        );
        const keys = await kvs.eventually(
          () => http.listKeys(store.id),
          (page) => !page.items.some((item) => item.key === recordKey),
        );
        expectRule(
          !keys.items.some((item) => item.key === recordKey),
          'KVS-RECORD-009',
          `${recordKey} is still listed after its delete`,
          [deleted.exchange],
        );
      }),
    );
  });

  // A server declared without the zip download (zipDownload false) is not asked for it.
  it.runIf(settings.zipDownload !== 'false')(
    'KVS-RECORD-011 the zip download holds one entry per record, named after its key, with its bytes',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(fc.tuple(key, fc.uint8Array({ maxLength: 200 })), {
            selector: ([k]) => k,
            maxLength: 8,
          }),
          async (records) => {
            const store = await kvs.newStore('zip');
            await Promise.all(
              records.map(([recordKey, value]) =>
                http.setRecord(store.id, recordKey, Buffer.from(value), 'application/octet-stream'),
              ),
            );
            // Under eventual the records settle first; under strong the writes acknowledged are the state.
            if (kvs.windowMs > 0)
              await kvs.eventually(
                () => http.listKeys(store.id),
                (page) => page.items.length === records.length,
              );
            const zip = await api.call('keyValueStore_records_get', { storeId: store.id });
            // The zip download is a profile setting (zipDownload): a server without it is
            // declared, not failed, so the answer names the flag that declares it.
            expectRule(
              zip.status === 200,
              'KVS-RECORD-011',
              `expected 200 with a zip, got ${zip.status} ${(zip.exchange.response?.bodyExcerpt ?? '').slice(0, 160)}; if the server does not offer the zip download, declare it with --zip-download false`,
              [zip.exchange],
            );
            let entries: Map<string, Buffer>;
            try {
              entries = await readZipEntries(zip.body);
            } catch (error) {
              expectRule(
                false,
                'KVS-RECORD-011',
                `the zip download cannot be read: ${(error as Error).message}`,
                [zip.exchange],
              );
              return;
            }
            expectRule(
              entries.size === records.length,
              'KVS-RECORD-011',
              `the zip holds ${entries.size} entries for ${records.length} records`,
              [zip.exchange],
            );
            for (const [recordKey, value] of records) {
              expectRule(
                entries.get(recordKey)?.equals(Buffer.from(value)) === true,
                'KVS-RECORD-011',
                `zip entry ${recordKey} is ${entries.has(recordKey) ? 'different' : 'missing'}`,
                [zip.exchange],
              );
            }
          },
        ),
        { numRuns: Math.min(kvs.context.runs, 10) },
      );
    },
  );

  it('KVS-RECORD-012 attachment=1 answers Content-Disposition: attachment', async () => {
    const store = await kvs.newStore('attachment');
    await fc.assert(
      fc.asyncProperty(key, async (recordKey) => {
        await http.setRecord(store.id, recordKey, Buffer.from('<p>hi</p>'), 'text/html');
        const get = await kvs.eventually(
          () =>
            api.call('keyValueStore_record_get', {
              storeId: store.id,
              recordKey,
              query: { attachment: 1 },
            }),
          (answer) => answer.status !== 404,
        );
        expectRule(
          /^attachment\b/i.test(get.headers['content-disposition'] ?? ''),
          'KVS-RECORD-012',
          `attachment=1 answered Content-Disposition ${JSON.stringify(get.headers['content-disposition'] ?? null)}`,
          [get.exchange],
        );
      }),
      { numRuns: Math.min(kvs.context.runs, 10) },
    );
  });

  it('KVS-RECORD-013 KVS-SCHEMA-007 updating name or generalAccess answers the updated store, a later read agrees, and createdAt stays', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('RESTRICTED', 'FOLLOW_USER_SETTING', 'ANYONE_WITH_ID_CAN_READ'),
        async (generalAccess) => {
          const store = await kvs.newStore('update');
          const name = kvs.storeName('renamed');
          const put = await api.call('keyValueStore_put', {
            storeId: store.id,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ name, generalAccess }),
          });
          const updated = put.json<{ data: StoreInfo & { generalAccess?: string } }>().data;
          expectRule(
            put.status === 200 && updated.name === name && updated.generalAccess === generalAccess,
            'KVS-RECORD-013',
            `the update answered ${put.status} with name ${JSON.stringify(updated.name)} and generalAccess ${JSON.stringify(updated.generalAccess)}`,
            [put.exchange],
          );
          const read = await api.call('keyValueStore_get', { storeId: store.id });
          const later = read.json<{ data: StoreInfo & { generalAccess?: string } }>().data;
          expectRule(
            later.name === name && later.generalAccess === generalAccess,
            'KVS-RECORD-013',
            `a later read shows name ${JSON.stringify(later.name)} and generalAccess ${JSON.stringify(later.generalAccess)}`,
            [read.exchange],
          );
          expectRule(
            later.createdAt === store.createdAt && later.createdAt <= later.modifiedAt,
            'KVS-SCHEMA-007',
            `createdAt went from ${store.createdAt} to ${later.createdAt} (modifiedAt ${later.modifiedAt})`,
            [read.exchange],
          );
        },
      ),
      { numRuns: Math.min(kvs.context.runs, 10) },
    );
  });

  // apify-client compresses every body from 1 KiB on with brotli (its bundle's brotliValue): only for
  // a server that decodes br (contentEncodings).
  it.runIf(settingItems(settings.contentEncodings).includes('br'))(
    'KVS-RECORD-014 apify-client round-trips JSON objects, strings and Buffers, compressed from 1 KiB on',
    async () => {
      const store = await kvs.newStore('client', client);
      const storeClient = kvs.client.client.keyValueStore(store.id);
      const value = fc.oneof(
        fc.object({ maxDepth: 2 }).map((object) => ({ kind: 'object' as const, data: object })),
        // Not the empty string: apify-client reads any empty body as undefined, whatever the server does.
        fc.string({ minLength: 1, maxLength: 3000 }).map((text) => ({ kind: 'string' as const, data: text })),
        fc
          .uint8Array({ minLength: 1, maxLength: 4000 })
          .map((bytes) => ({ kind: 'buffer' as const, data: Buffer.from(bytes) })),
      );
      await fc.assert(
        fc.asyncProperty(key, value, async (base, { kind, data }) => {
          const recordKey = kvs.freshKey(base);
          // apify-client sends a body of 1 KiB or more brotli-compressed: a server that does not
          // decode br refuses it, which contentEncodings declares.
          const brHint = contentEncodingsHint(settings.contentEncodings, 'br');
          await storeClient
            .setRecord({ key: recordKey, value: data as never })
            .catch((error: unknown) =>
              refusedValueWrite(error, `apify-client's setRecord of a ${kind} to ${recordKey}`, brHint),
            );
          const record = await kvs.eventually(
            () => storeClient.getRecord(recordKey, kind === 'buffer' ? { buffer: true } : {}),
            (found) => found !== undefined,
          );
          const same =
            kind === 'buffer'
              ? Buffer.isBuffer(record?.value) && (record.value as Buffer).equals(data)
              : JSON.stringify(record?.value) === JSON.stringify(data);
          expectRule(
            same,
            'KVS-RECORD-014',
            `apify-client wrote a ${kind} to ${recordKey} and read back ${JSON.stringify(record?.value)?.slice(0, 200)}${brHint}`,
          );
        }),
      );
    },
  );
});
