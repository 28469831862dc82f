// Fault modes whose target rules are in KVS-HTTP (framing of keep-alive connections). They run on a
// raw-socket front (proof/raw-front.ts): the bug happens before a request body is read.
import { request } from 'undici';
import { isRecordWrite, storeSegment } from './fault-helpers.ts';
import type { FaultMode } from './fault-mode.ts';
import type { EarlyHook } from './raw-front.ts';

/** A 404 for a record write whose store does not exist, decided from the head alone (the body unread). */
const earlyNotFound =
  (then: 'desync' | 'drain'): EarlyHook =>
  async (head, upstream) => {
    if (!isRecordWrite(head)) return undefined;
    const store = await request(
      `${upstream}/v2/key-value-stores/${encodeURIComponent(storeSegment(head.path))}`,
      { headers: head.headers.authorization ? { authorization: head.headers.authorization } : {} },
    );
    await store.body.dump();
    if (store.statusCode !== 404) return undefined;
    return {
      status: 404,
      body: { error: { type: 'record-not-found', message: 'Store was not found' } },
      then,
    };
  };

/** HTTP faults. */
export const HTTP_FAULTS: readonly FaultMode[] = [
  {
    name: 'http-desync-after-early-404',
    targets: ['KVS-HTTP-001'],
    bug: 'a record write into a missing store is answered 404 from its head, and the unread body stays in the keep-alive connection, read as the next request (the Python trial server)',
    front: () => earlyNotFound('desync'),
  },
];

/** The correct counterpart of the desync fault (the body read and dropped), for the clean tests. */
export const earlyNotFoundDrained: () => EarlyHook = () => earlyNotFound('drain');
