// Concurrency faults: server bugs that show only when operations on one store overlap in time.
// Every sequential scenario, however long, sees a correct server; only the concurrent variant of
// the stateful suite (two command streams at once, suites/stateful.test.ts) can catch them.
import { setTimeout as sleep } from 'node:timers/promises';
import { getOf, isRecord, ok, recordKeyOf, storeSegment } from './fault-helpers.ts';
import type { ProxiedRequest } from './fault-proxy.ts';
import type { FaultMode } from './fault-mode.ts';

/** How long the faulty server spends between the two halves of its non-atomic work. */
const GAP_MS = 30;

const isRecordWrite = (request: ProxiedRequest): boolean =>
  (request.method === 'PUT' || request.method === 'POST') && isRecord(request.path);

/** A record write in flight, for the lost-update fault. */
interface Write {
  readonly key: string;
  /** The record before the write (undefined: none). */
  readonly before: { readonly body: Buffer; readonly contentType: string } | undefined;
  readonly body: Buffer;
  /** Writes to the same store that overlapped this one in time. */
  readonly overlaps: Set<Write>;
  finished: boolean;
}

/** CONCURRENCY faults: each needs two operations on one store at once to show. */
export const CONCURRENCY_FAULTS: readonly FaultMode[] = [
  {
    name: 'state-overwrite-not-atomic',
    targets: ['KVS-STATE-002'],
    bug: 'an overwrite deletes the old record and then writes the new one (two storage calls, no lock; a refused write puts the old one back): a read between them finds no record, though the key holds a value before and after',
    narrow: true,
    fault: () => ({
      request: async (request, forward) => {
        if (!isRecordWrite(request)) return forward(request);
        const existing = await forward(getOf(request, request.path));
        if (existing.status !== 200) return forward(request);
        await forward({ ...request, method: 'DELETE', body: Buffer.alloc(0) });
        await sleep(GAP_MS);
        const answer = await forward(request);
        // A refused write (too large, bad key) rolls back: the old record is put back.
        if (!ok(answer))
          await forward({
            ...request,
            method: 'PUT',
            headers: { ...request.headers, 'content-type': existing.headers['content-type'] ?? 'text/plain' },
            body: existing.body,
          });
        return answer;
      },
    }),
  },
  {
    name: 'state-lost-update-same-store',
    targets: ['KVS-STATE-002'],
    bug: 'a store keeps its records as one document: a write reads it, adds its record, and saves it back after a slow save, so of two writes to different keys of one store that overlap, the one saved first is lost (both answered 201)',
    narrow: true,
    fault: () => {
      const inFlight = new Map<string, Set<Write>>();
      return {
        request: async (request, forward) => {
          if (!isRecordWrite(request)) return forward(request);
          const store = storeSegment(request.path);
          const key = recordKeyOf(request.path);
          const current = await forward(getOf(request, request.path));
          const write: Write = {
            key,
            before:
              current.status === 200
                ? { body: current.body, contentType: current.headers['content-type'] ?? 'text/plain' }
                : undefined,
            body: request.body,
            overlaps: new Set(),
            finished: false,
          };
          const running = inFlight.get(store) ?? new Set<Write>();
          inFlight.set(store, running);
          for (const other of running) {
            other.overlaps.add(write);
            write.overlaps.add(other);
          }
          running.add(write);
          // The slow save of the whole document.
          await sleep(GAP_MS);
          const answer = await forward(request);
          running.delete(write);
          write.finished = true;
          if (!ok(answer)) return answer;
          // This save wrote the document as it was when this write read it: a write to another key
          // that overlapped and was saved first is gone again.
          for (const other of write.overlaps) {
            if (!other.finished || other.key === key) continue;
            const path = request.path.replace(
              /\/records\/[^/?]+/,
              `/records/${encodeURIComponent(other.key)}`,
            );
            const now = await forward(getOf(request, path));
            if (now.status !== 200 || !now.body.equals(other.body)) continue;
            await forward(
              other.before
                ? {
                    ...request,
                    method: 'PUT',
                    path,
                    headers: { ...request.headers, 'content-type': other.before.contentType },
                    body: other.before.body,
                  }
                : { ...request, method: 'DELETE', path, body: Buffer.alloc(0) },
            );
          }
          return answer;
        },
      };
    },
  },
];
