// Fault modes whose target rules are in KVS-CONS (visibility of completed writes).
import type { ProxiedAnswer } from './fault-proxy.ts';
import { bare, errorAnswer, getOf, isKeys, isRecord, isRecordWrite, ok } from './fault-helpers.ts';
import type { FaultMode } from './fault-mode.ts';

const EVENTUAL = ['--consistency', 'eventual', '--window', '2s'] as const;
/** The eventual profile with KVS-CONS-003's opt-in clause: monotonic reads within the window. */
const MONOTONIC = [...EVENTUAL, '--monotonic-reads', 'true'] as const;
const missing = (answer: { method: string; path: string }): ProxiedAnswer =>
  errorAnswer(404, 'record-not-found', answer.method, answer.path, 'Record was not found');

/** CONS faults. */
export const CONS_FAULTS: readonly FaultMode[] = [
  {
    name: 'cons-new-key-first-read-miss',
    targets: ['KVS-CONS-001'],
    bug: 'a new key is written to the primary but the first read goes to a replica that has not seen it (404)',
    fault: () => {
      const fresh = new Set<string>();
      const known = new Set<string>();
      return {
        request: async (request, forward) => {
          const path = bare(request.path);
          const answer = await forward(request);
          if (isRecordWrite(request) && ok(answer) && !known.has(path)) fresh.add(path);
          if (isRecord(request.path)) known.add(path);
          if (request.method === 'GET' && isRecord(request.path) && fresh.delete(path) && ok(answer))
            return missing(request);
          return answer;
        },
      };
    },
  },
  {
    name: 'cons-read-cache',
    targets: ['KVS-CONS-002'],
    bug: 'record reads are cached and never invalidated on write or delete',
    fault: () => {
      const cache = new Map<string, ProxiedAnswer>();
      return (answer) => {
        if (!isRecord(answer.path) || answer.method !== 'GET') return answer;
        const cached = cache.get(answer.path);
        if (cached) return cached;
        if (ok(answer)) cache.set(answer.path, answer);
        return answer;
      };
    },
  },
  {
    name: 'cons-listing-cache',
    targets: ['KVS-CONS-002'],
    bug: 'key listings are cached for 2 s after a read (strong profile)',
    fault: () => {
      const cache = new Map<string, { answer: ProxiedAnswer; at: number }>();
      return (answer) => {
        if (!isKeys(answer.path) || answer.method !== 'GET' || !ok(answer)) return answer;
        const hit = cache.get(answer.path);
        if (hit && Date.now() - hit.at < 2000) return hit.answer;
        cache.set(answer.path, { answer, at: Date.now() });
        return answer;
      };
    },
  },
  {
    name: 'cons-replica-flap',
    targets: ['KVS-CONS-003'],
    bug: 'after an overwrite or delete, each read picks a replica at random for 1 s: the old state comes back after the new one was seen (non-monotonic reads, judged under monotonicReads true)',
    runFlags: MONOTONIC,
    fault: () => {
      const previous = new Map<string, { answer: ProxiedAnswer; until: number }>();
      return {
        request: async (request, forward) => {
          const path = bare(request.path);
          const changes = isRecordWrite(request) || (request.method === 'DELETE' && isRecord(request.path));
          if (changes) {
            const before = await forward(getOf(request, request.path));
            const answer = await forward(request);
            if (ok(answer) && ok(before)) previous.set(path, { answer: before, until: Date.now() + 1000 });
            return answer;
          }
          const answer = await forward(request);
          const old = previous.get(path);
          if (
            request.method === 'GET' &&
            isRecord(request.path) &&
            old &&
            Date.now() < old.until &&
            Math.random() < 0.5
          )
            return { ...old.answer, path: request.path };
          return answer;
        },
      };
    },
  },
  {
    name: 'cons-replicas-non-monotonic',
    targets: ['KVS-CONS-003'],
    bug: 'three replicas catch up with an overwrite or delete at different times (uniform up to 800 ms) and each read picks one at random: within the window, but the old state comes back after the new one was seen (judged under monotonicReads true)',
    runFlags: MONOTONIC,
    server: { consistency: { mode: 'eventual', staleMs: 800, distribution: 'uniform', replicas: 3 } },
  },
  {
    name: 'cons-revert-after-window',
    targets: ['KVS-CONS-003'],
    bug: 'a lagging replica is re-synced from an old snapshot: once the 2 s window after an overwrite or delete has passed, reads show the old state again for 2 s (caught under the default monotonicReads false)',
    runFlags: EVENTUAL,
    fault: () => {
      const previous = new Map<string, { answer: ProxiedAnswer; at: number }>();
      return {
        request: async (request, forward) => {
          const path = bare(request.path);
          const changes = isRecordWrite(request) || (request.method === 'DELETE' && isRecord(request.path));
          if (changes) {
            const at = performance.now();
            const before = await forward(getOf(request, request.path));
            const answer = await forward(request);
            if (ok(answer) && ok(before)) previous.set(path, { answer: before, at });
            else previous.delete(path);
            return answer;
          }
          const answer = await forward(request);
          const old = previous.get(path);
          const since = old ? performance.now() - old.at : 0;
          if (request.method === 'GET' && isRecord(request.path) && old && since >= 2000 && since < 4000)
            return { ...old.answer, path: request.path };
          return answer;
        },
      };
    },
  },
  {
    name: 'cons-stale-past-window',
    targets: ['KVS-CONS-004'],
    bug: 'replicas lag 4 s where the run allows 1 s (only shows once time has passed)',
    runFlags: ['--consistency', 'eventual', '--window', '1s'],
    server: { consistency: { mode: 'eventual', staleMs: 4000 } },
  },
  {
    name: 'cons-lost-third-write',
    targets: ['KVS-CONS-005'],
    bug: 'the third write to a key is acknowledged but lost (a buffer flush drops it): only after two earlier writes',
    narrow: true,
    fault: () => {
      const writes = new Map<string, number>();
      return {
        request: async (request, forward) => {
          if (!isRecordWrite(request)) return forward(request);
          const path = bare(request.path);
          const count = (writes.get(path) ?? 0) + 1;
          if (count !== 3) {
            const answer = await forward(request);
            if (ok(answer)) writes.set(path, count);
            return answer;
          }
          const before = await forward(getOf(request, request.path));
          const answer = await forward(request);
          if (!ok(answer) || !ok(before)) return answer;
          writes.set(path, count);
          await forward({
            ...request,
            method: 'PUT',
            headers: {
              ...request.headers,
              'content-type': before.headers['content-type'] ?? 'application/octet-stream',
            },
            body: before.body,
          });
          return answer;
        },
      };
    },
  },
  {
    name: 'cons-back-to-back-write-kept-on-one-replica',
    targets: ['KVS-CONS-005'],
    bug: 'under eventual consistency, a write that follows another write to the same key before any read of it is merged wrongly on one of three replicas, which keeps the earlier value for good: the last value reads at once and on two reads in three, never on every replica',
    narrow: true,
    runFlags: EVENTUAL,
    fault: () => {
      // Per key: the earlier value the lagging replica keeps, and the reads since, to route every
      // third one to that replica (deterministic, so the first read after the writes is current).
      const kept = new Map<string, { answer: ProxiedAnswer; reads: number }>();
      const readSince = new Set<string>();
      return {
        request: async (request, forward) => {
          const path = bare(request.path);
          if (isRecordWrite(request)) {
            const before = await forward(getOf(request, request.path));
            const answer = await forward(request);
            if (!ok(answer)) return answer;
            if (ok(before) && !readSince.has(path)) kept.set(path, { answer: before, reads: 0 });
            else kept.delete(path);
            readSince.delete(path);
            return answer;
          }
          if (request.method === 'DELETE' && isRecord(request.path)) kept.delete(path);
          const answer = await forward(request);
          if (request.method !== 'GET' || !isRecord(request.path)) return answer;
          readSince.add(path);
          const replica = kept.get(path);
          if (!replica || !ok(answer)) return answer;
          replica.reads += 1;
          return replica.reads % 3 === 0 ? { ...replica.answer, path: request.path } : answer;
        },
      };
    },
  },
  {
    name: 'cons-delete-resurrects',
    targets: ['KVS-CONS-006'],
    bug: 'a replica missed the delete: after the first read of a deleted record, later reads serve the old value again',
    fault: () => {
      const ghosts = new Map<string, { answer: ProxiedAnswer; reads: number }>();
      return {
        request: async (request, forward) => {
          const path = bare(request.path);
          if (request.method === 'DELETE' && isRecord(request.path)) {
            const before = await forward(getOf(request, request.path));
            const answer = await forward(request);
            if (ok(before) && ok(answer)) ghosts.set(path, { answer: before, reads: 0 });
            return answer;
          }
          if (isRecordWrite(request)) ghosts.delete(path);
          const answer = await forward(request);
          const ghost = ghosts.get(path);
          if (request.method === 'GET' && isRecord(request.path) && ghost && answer.status === 404) {
            ghost.reads += 1;
            if (ghost.reads > 1) return { ...ghost.answer, path: request.path };
          }
          return answer;
        },
      };
    },
  },
  {
    name: 'cons-delete-resurrects-after-settle',
    targets: ['KVS-CONS-006'],
    bug: 'a tombstone is dropped too early under eventual consistency: a deleted record reads absent everywhere, then its old value comes back 400 ms after the delete and stays',
    runFlags: EVENTUAL,
    fault: () => {
      const ghosts = new Map<string, { answer: ProxiedAnswer; at: number }>();
      return {
        request: async (request, forward) => {
          const path = bare(request.path);
          if (request.method === 'DELETE' && isRecord(request.path)) {
            const before = await forward(getOf(request, request.path));
            const answer = await forward(request);
            if (ok(before) && ok(answer)) ghosts.set(path, { answer: before, at: performance.now() });
            return answer;
          }
          if (isRecordWrite(request)) ghosts.delete(path);
          const answer = await forward(request);
          const ghost = ghosts.get(path);
          if (
            request.method === 'GET' &&
            isRecord(request.path) &&
            ghost &&
            answer.status === 404 &&
            performance.now() - ghost.at > 400
          )
            return { ...ghost.answer, path: request.path };
          return answer;
        },
      };
    },
  },
];
