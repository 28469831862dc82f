import { describe, expect, it } from 'vitest';
import { createStore, send, useServer } from './server-fixture.ts';

const STALE_MS = 1500;
const server = await useServer({
  consistency: { mode: 'eventual', staleMs: STALE_MS, distribution: 'uniform' },
});
const storeId = await createStore(server.url, 'eventual');
const path = (key: string) => `/v2/key-value-stores/${storeId}/records/${key}`;

interface Read {
  sentAt: number;
  value: string;
}

/** Reads until `expected` appears (or 3 × the bound passes), recording what each read showed and when it was sent. */
async function readUntil(key: string, expected: string): Promise<Read[]> {
  const reads: Read[] = [];
  const deadline = Date.now() + 3 * STALE_MS;
  while (Date.now() < deadline) {
    const sentAt = Date.now();
    const response = await send(server.url, 'GET', path(key));
    const value = response.status === 200 ? response.body.toString() : '<absent>';
    reads.push({ sentAt, value });
    if (value === expected) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return reads;
}

describe('the reference server in eventual mode', () => {
  it('shows an overwrite within the configured bound and never a stale value for a read sent after it', async () => {
    const staleSeen: number[] = [];
    for (let round = 0; round < 5; round += 1) {
      const key = `k${round}`;
      await send(server.url, 'PUT', path(key), { body: 'old' });
      await send(server.url, 'PUT', path(key), { body: 'new' });
      const acknowledgedAt = Date.now();
      const reads = await readUntil(key, 'new');
      expect(reads.at(-1)?.value).toBe('new');
      const stale = reads.filter((read) => read.value !== 'new');
      for (const read of stale) expect(read.sentAt - acknowledgedAt).toBeLessThanOrEqual(STALE_MS);
      // Once the new value was seen, the old one never comes back.
      const afterwards = await send(server.url, 'GET', path(key));
      expect(afterwards.body.toString()).toBe('new');
      staleSeen.push(stale.length);
    }
    expect(staleSeen.some((count) => count > 0)).toBe(true);
  });

  it('shows a new key at once when it was not read before', async () => {
    await send(server.url, 'PUT', path('brand-new'), { body: 'here' });
    expect((await send(server.url, 'GET', path('brand-new'))).body.toString()).toBe('here');
  });
});
