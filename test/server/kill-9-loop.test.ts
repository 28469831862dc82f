import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createStore, send } from './server-fixture.ts';
import { startServerProcess } from './server-process.ts';

/** Start, write concurrently, kill -9, restart: this many times (raise it with KVSC_KILL9_ROUNDS). */
const ROUNDS = Number(process.env.KVSC_KILL9_ROUNDS ?? 3);
const WRITERS = 6;
/** Each writer keeps overwriting its own few keys, so a kill often lands mid-overwrite. */
const KEYS_PER_WRITER = 4;
/** Acknowledged writes a round waits for before it picks its random kill moment. */
const ACKS_BEFORE_KILL = 24;
const TYPES = ['application/json', 'text/plain', 'image/png', 'application/octet-stream'];

/** One write as sent: the decoded bytes a reader gets back and their content type; null is a delete. */
type Version = { value: Buffer; contentType: string } | null;

interface KeyHistory {
  /** The last version the server acknowledged (201 or 204). */
  acknowledged: Version | undefined;
  /** Versions sent after it whose answer never came (the kill): any of them may have landed. */
  inFlight: Version[];
}

describe('the directory backend under kill -9', () => {
  it(`loses no acknowledged write over ${ROUNDS} rounds of concurrent writers killed at a random moment`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvsc-kill9-'));
    const history = new Map<string, KeyHistory>();
    let acknowledgedTotal = 0;
    let checkedTotal = 0;
    for (let round = 0; round <= ROUNDS; round += 1) {
      const server = await startServerProcess(['--storage', dir]);
      // Every key must read back as its last acknowledged version or a newer one that was in flight.
      for (const [key, { acknowledged, inFlight }] of history) {
        const read = await send(server.url, 'GET', `/v2/key-value-stores/~durable/records/${key}`);
        const got: Version =
          read.status === 404
            ? null
            : { value: read.body, contentType: String(read.headers['content-type']) };
        expect([200, 404], key).toContain(read.status);
        const allowed = [acknowledged, ...inFlight].filter((version) => version !== undefined);
        const matches = allowed.some((version) =>
          version === null || got === null
            ? version === got
            : version.value.equals(got.value) && version.contentType === got.contentType,
        );
        expect(
          matches,
          `round ${round}: ${key} reads ${got === null ? 'absent' : got.value.toString()}`,
        ).toBe(true);
        checkedTotal += acknowledged === undefined ? 0 : 1;
        // What was read is now the settled state of the key.
        history.set(key, { acknowledged: got, inFlight: [] });
      }
      if (round === ROUNDS) {
        await server.stop();
        break;
      }
      if (round === 0) await createStore(server.url, 'durable');

      let acks = 0;
      let killed = false;
      const writers = Array.from({ length: WRITERS }, async (_, writer) => {
        for (let i = 0; !killed; i += 1) {
          const key = `w${writer}-k${i % KEYS_PER_WRITER}`;
          const entry = history.get(key) ?? { acknowledged: undefined, inFlight: [] };
          history.set(key, entry);
          const remove = i % 7 === 6;
          const contentType = TYPES[(i + round) % TYPES.length] ?? 'application/octet-stream';
          const value = Buffer.from(
            `round ${round} writer ${writer} write ${i} `.repeat(1 + ((i * 13) % 40)),
          );
          const gzip = i % 3 === 0;
          const version: Version = remove ? null : { value, contentType };
          entry.inFlight.push(version);
          try {
            const answer = await send(
              server.url,
              remove ? 'DELETE' : 'PUT',
              `/v2/key-value-stores/~durable/records/${key}`,
              remove
                ? {}
                : {
                    body: gzip ? gzipSync(value) : value,
                    headers: { 'content-type': contentType, ...(gzip ? { 'content-encoding': 'gzip' } : {}) },
                  },
            );
            if (answer.status !== (remove ? 204 : 201)) throw new Error(`${key}: status ${answer.status}`);
            entry.acknowledged = version;
            entry.inFlight = [];
            acks += 1;
            acknowledgedTotal += 1;
          } catch (error) {
            if (killed) return;
            throw error;
          }
        }
      });
      // The kill moment: after some acknowledged writes, then a random further delay.
      while (acks < ACKS_BEFORE_KILL) await new Promise((resolve) => setTimeout(resolve, 5));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 100));
      killed = true;
      await server.stop('SIGKILL');
      await Promise.all(writers);
    }
    expect(checkedTotal).toBeGreaterThan(0);
    console.info(
      `kill -9 loop: ${ROUNDS} rounds, ${acknowledgedTotal} acknowledged writes, ${checkedTotal} key checks against an acknowledged version`,
    );
  }, 300_000);
});
