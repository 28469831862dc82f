// KVS-SIGN: pre-signed URLs let a caller without a token read one record or list keys. They need
// a target that requires a token and shows the store's urlSigningSecretKey to its owner.
import fc from 'fast-check';
import { describe } from 'vitest';
import {
  createHmacSignature,
  createKeysSignature,
  expectRule,
  useConformance,
  type CheckedResponse,
  it,
} from '../harness/index.ts';
import { recordKeyArbitrary } from '../generators/index.ts';

const kvs = await useConformance('sign');
const { api, http, contract, settings, context } = kvs;
const hasToken = context.token !== undefined;
// A server declared without URL signing (urlSigning false) is not asked to sign: the rules do not apply.
const signing = settings.urlSigning !== 'false';

/** URL signing is a profile setting (urlSigning): a failure of SIGN-001/002/005 names the flag that declares it. */
const NOT_SIGNING_HINT = '; if the server does not sign URLs, declare it with --url-signing false';

const refused = (response: CheckedResponse): boolean => {
  const rule = String(settings.rejectedSignatureStatus);
  return rule === 'any-4xx'
    ? response.status >= 400 && response.status < 500
    : response.status === Number(rule);
};

/** A RESTRICTED store and its signing secret (undefined when the target does not show one). */
async function signedStore(): Promise<{ storeId: string; secret: string | undefined }> {
  const store = await kvs.newStore('signed');
  await http.updateStore(store.id, { generalAccess: 'RESTRICTED' });
  const read = await api.call('keyValueStore_get', { storeId: store.id });
  return {
    storeId: store.id,
    secret:
      read.json<{ data: { urlSigningSecretKey?: string | null } }>().data.urlSigningSecretKey ?? undefined,
  };
}

/**
 * Writes the record a signed URL reads: a key never used before (new keys are read-after-write
 * under the eventual model too), its value naming the key.
 */
async function writeSigned(storeId: string, base: string): Promise<string> {
  const recordKey = kvs.freshKey(base);
  await http.setRecord(storeId, recordKey, Buffer.from(`value of ${recordKey}`), 'text/plain');
  return recordKey;
}

const key = recordKeyArbitrary(contract.limits);

describe(`KVS-SIGN: signed URLs${hasToken ? '' : ' (skipped: the run has no token, so unsigned access is not known to be refused; pass the target token with --token or APIFY_TOKEN)'}`, () => {
  it.runIf(hasToken && signing)(
    'KVS-SIGN-001 KVS-SIGN-003 a record URL signed over its key reads it without a token; a tampered or borrowed signature is refused',
    async () => {
      // One store for every case, each on keys of its own: a signature is over a record's key.
      const { storeId, secret } = await signedStore();
      await fc.assert(
        fc.asyncProperty(key, key, fc.nat(), async (recordBase, otherBase, flip) => {
          const recordKey = await writeSigned(storeId, recordBase);
          expectRule(
            secret !== undefined,
            'KVS-SIGN-001',
            `the store object shows its owner no urlSigningSecretKey, so no URL can be signed${NOT_SIGNING_HINT}`,
          );
          const signature = createHmacSignature(secret ?? '', recordKey);
          const get = await api.call('keyValueStore_record_get', {
            storeId,
            recordKey,
            query: { signature },
            auth: 'none',
          });
          expectRule(
            get.status === 200 && get.body.toString() === `value of ${recordKey}`,
            'KVS-SIGN-001',
            `the signed URL of ${recordKey} answered ${get.status}${NOT_SIGNING_HINT}`,
            [get.exchange],
          );
          const position = flip % signature.length;
          const tampered =
            signature.slice(0, position) +
            (signature[position] === 'a' ? 'b' : 'a') +
            signature.slice(position + 1);
          const bad = await api.call('keyValueStore_record_get', {
            storeId,
            recordKey,
            query: { signature: tampered },
            auth: 'none',
          });
          expectRule(
            refused(bad),
            'KVS-SIGN-003',
            `a tampered signature answered ${bad.status}; rejectedSignatureStatus is ${String(settings.rejectedSignatureStatus)}`,
            [bad.exchange],
          );
          // Always another key: two keys of one base differ only in their serial.
          const otherKey = kvs.freshKey(otherBase);
          await http.setRecord(storeId, otherKey, Buffer.from('other'), 'text/plain');
          const borrowed = await api.call('keyValueStore_record_get', {
            storeId,
            recordKey: otherKey,
            query: { signature },
            auth: 'none',
          });
          expectRule(
            refused(borrowed),
            'KVS-SIGN-003',
            `the signature of ${recordKey} opened ${otherKey} (${borrowed.status})`,
            [borrowed.exchange],
          );
        }),
        { numRuns: Math.min(context.runs, 10) },
      );
    },
  );

  it.runIf(hasToken && signing)(
    'KVS-SIGN-002 KVS-SIGN-004 a keys URL signed over the store id lists keys without a token until it expires',
    async () => {
      // One store for every case: the keys signature is over the store id and an expiry, which
      // each case draws anew; each case lists the store after writing a key of its own.
      const { storeId, secret } = await signedStore();
      await fc.assert(
        fc.asyncProperty(
          key,
          fc.constantFrom(0, 3_600_000, 86_400_000),
          fc.integer({ min: 1_000, max: 10 ** 9 }),
          async (recordBase, validFor, expiredAgo) => {
            const recordKey = await writeSigned(storeId, recordBase);
            expectRule(
              secret !== undefined,
              'KVS-SIGN-002',
              `the store object shows its owner no urlSigningSecretKey${NOT_SIGNING_HINT}`,
            );
            const valid = createKeysSignature(
              secret ?? '',
              storeId,
              validFor === 0 ? 0 : Date.now() + validFor,
            );
            const list = await api.call('keyValueStore_keys_get', {
              storeId,
              query: { signature: valid },
              auth: 'none',
            });
            const keys =
              list.status === 200
                ? list.json<{ data: { items: { key: string }[] } }>().data.items.map((item) => item.key)
                : [];
            expectRule(
              list.status === 200 && keys.includes(recordKey),
              'KVS-SIGN-002',
              `a keys URL valid for ${validFor || 'ever'} ms answered ${list.status}${NOT_SIGNING_HINT}`,
              [list.exchange],
            );
            const expired = createKeysSignature(secret ?? '', storeId, Date.now() - expiredAgo);
            const late = await api.call('keyValueStore_keys_get', {
              storeId,
              query: { signature: expired },
              auth: 'none',
            });
            expectRule(
              refused(late),
              'KVS-SIGN-004',
              `a keys URL expired ${expiredAgo} ms ago answered ${late.status}`,
              [late.exchange],
            );
          },
        ),
        { numRuns: Math.min(context.runs, 10) },
      );
    },
  );

  it.runIf(hasToken && signing)(
    'KVS-SIGN-005 each listed recordPublicUrl opens its record without a token',
    async () => {
      const { storeId } = await signedStore();
      await http.setRecord(storeId, 'public', Buffer.from('value of public'), 'text/plain');
      type Listed = { data: { items: { key: string; recordPublicUrl?: string }[] } };
      // Under the eventual profile the listing may lag the write: wait (within the window) for it.
      const list = await kvs.eventually(
        () => api.call('keyValueStore_keys_get', { storeId }),
        (answer) => answer.json<Listed>().data.items.some((item) => item.key === 'public'),
      );
      const items = list.json<Listed>().data.items;
      expectRule(
        items.some((item) => item.key === 'public'),
        'KVS-SIGN-005',
        `the listing of a store holding "public" lists ${JSON.stringify(items.map((item) => item.key))}: no recordPublicUrl to open${NOT_SIGNING_HINT}`,
        [list.exchange],
      );
      for (const item of items) {
        expectRule(
          item.recordPublicUrl !== undefined,
          'KVS-SIGN-005',
          `key ${item.key} is listed without a recordPublicUrl${NOT_SIGNING_HINT}`,
          [list.exchange],
        );
        // Opened as given, host included: a public URL pointing elsewhere than the server is broken.
        const response = await api.client.send({
          method: 'GET',
          path: new URL(item.recordPublicUrl ?? '', api.client.options.baseUrl).href,
          auth: 'none',
          operationId: 'keyValueStore_record_get',
        });
        expectRule(
          response.response?.status === 200 && response.response.body.toString() === `value of ${item.key}`,
          'KVS-SIGN-005',
          `the recordPublicUrl of ${item.key} answered ${response.response?.status ?? response.error}${NOT_SIGNING_HINT}`,
          [list.exchange, response],
        );
      }
    },
  );
});
