import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from '../../server/index.ts';
import { editJson, startFaultProxy, type Fault, type ProxiedAnswer } from '../faulty/fault-proxy.ts';
import { runCli } from '../harness/run-cli.ts';

const TOKEN = 'family-token';
const isKeysPage = (answer: ProxiedAnswer): boolean =>
  answer.method === 'GET' && /\/keys(\?|$)/.test(answer.path);
const isRecordRead = (answer: ProxiedAnswer): boolean =>
  answer.method === 'GET' && /\/records\/[^/?]+/.test(answer.path);

/** A faulty target per rule family: [area, what the server gets wrong, the fault]. */
const FAMILIES: [string, string, Fault][] = [
  [
    'KEYS',
    'a page after the first drops its first key (cursor off by one)',
    (answer) =>
      isKeysPage(answer) && answer.path.includes('exclusiveStartKey=')
        ? editJson(answer, (body) => {
            const data = body.data as { items: unknown[]; count: number };
            return { data: { ...data, items: data.items.slice(1), count: Math.max(0, data.count - 1) } };
          })
        : answer,
  ],
  [
    'PAGE',
    'a page at an offset starts one store late',
    (answer) => {
      if (
        answer.method !== 'GET' ||
        answer.status !== 200 ||
        !/^\/v2\/key-value-stores\?.*offset=[1-9]/.test(answer.path)
      )
        return answer;
      return editJson(answer, (body) => {
        const data = body.data as { items: unknown[]; count: number };
        return { data: { ...data, items: data.items.slice(1), count: Math.max(0, data.count - 1) } };
      });
    },
  ],
  [
    'NOTFOUND',
    'a missing record answers 200 with an empty body',
    (answer) =>
      isRecordRead(answer) && answer.status === 404
        ? {
            ...answer,
            status: 200,
            headers: { 'content-type': 'application/octet-stream' },
            body: Buffer.alloc(0),
          }
        : answer,
  ],
  [
    'RECORD',
    'records lose their Content-Type on the way out',
    (answer) =>
      isRecordRead(answer) && answer.status === 200
        ? { ...answer, headers: { ...answer.headers, 'content-type': 'application/octet-stream' } }
        : answer,
  ],
];

/** Faults that need state: a read cache, a name table that forgets, a proxy that lets anyone in. */
function statefulFamilies(): [string, string, Fault][] {
  const cache = new Map<string, ProxiedAnswer>();
  return [
    [
      'CONS',
      'record reads are served from a cache that is never invalidated',
      (answer) => {
        if (!isRecordRead(answer)) return answer;
        const cached = cache.get(answer.path);
        if (cached) return cached;
        if (answer.status === 200) cache.set(answer.path, answer);
        return answer;
      },
    ],
    [
      'NAME',
      'get-or-create of a taken name answers 201 as if it created the store',
      (answer) =>
        answer.method === 'POST' && answer.path.includes('name=') && answer.status === 200
          ? {
              ...answer,
              status: 201,
              headers: { ...answer.headers, location: 'http://x/v2/key-value-stores/y' },
            }
          : answer,
    ],
  ];
}

describe('each rule family catches a faulty target under its own rule ids, with a shrunk counterexample', () => {
  it.each([...FAMILIES, ...statefulFamilies()])('%s: %s', async (area, _bug, fault) => {
    const server = await startServer({ tokens: [TOKEN] });
    const proxy = await startFaultProxy(server.url, fault);
    try {
      const result = await runCli([
        'run',
        '--target',
        proxy.url,
        '--token',
        TOKEN,
        '--suite',
        area,
        '--runs',
        '15',
        '--seed',
        '7',
        '--out',
        mkdtempSync(join(tmpdir(), 'kvsc-family-')),
      ]);
      expect(result.code, result.stdout.slice(-2000)).toBe(1);
      expect(result.stdout).toMatch(new RegExp(`✗ KVS-${area}-\\d{3} \\(MUST\\)`));
      const failed = [...result.stdout.matchAll(/✗ (KVS-[A-Z]+-\d{3})/g)].map((match) => match[1]);
      expect(
        failed.every((rule) => rule?.startsWith(`KVS-${area}-`)),
        `failed rules: ${failed.join(', ')}`,
      ).toBe(true);
      expect(result.stdout + result.stderr).toMatch(/Counterexample: /);
    } finally {
      await proxy.close();
      await server.close();
    }
  });

  it('KEYS: the counterexample of the off-by-one cursor shrinks to a handful of keys', async () => {
    const server = await startServer();
    const proxy = await startFaultProxy(server.url, FAMILIES[0]?.[2] ?? ((answer) => answer));
    try {
      const result = await runCli([
        'run',
        '--target',
        proxy.url,
        '--rule',
        'KVS-KEYS-001',
        '--runs',
        '50',
        '--seed',
        '7',
        '--out',
        mkdtempSync(join(tmpdir(), 'kvsc-shrink-')),
      ]);
      const counterexample = /Counterexample: (\[\[.*?\],\d+\])/.exec(result.stdout + result.stderr)?.[1];
      expect(counterexample, result.stdout.slice(-1500)).toBeDefined();
      const [keys] = JSON.parse(counterexample ?? '[[],0]') as [string[], number];
      expect(keys.length).toBeGreaterThanOrEqual(2);
      expect(keys.length).toBeLessThanOrEqual(5);
    } finally {
      await proxy.close();
      await server.close();
    }
  });
});
