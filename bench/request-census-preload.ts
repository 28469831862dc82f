// Loaded with `node --import` into a run's process (see bench/request-census.ts): counts the
// requests every HTTP server of this process receives, by method and route (store and record ids
// and keys replaced by placeholders), and writes the counts as JSON to $KVSC_CENSUS_FILE on exit.
import { subscribe } from 'node:diagnostics_channel';
import { appendFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';

const counts = new Map<string, number>();
/** `GET /v2/key-value-stores/:store/records/:key`, from a request target. */
function route(method: string, target: string): string {
  const path = target.split('?')[0] ?? '';
  const parts = path.split('/').filter((part) => part !== '');
  if (parts[0] !== 'v2' || parts[1] !== 'key-value-stores') return `${method} (other)`;
  const shape = ['/v2/key-value-stores', parts.length > 2 ? '/:store' : '', parts[3] ? `/${parts[3]}` : ''];
  if (parts.length > 4) shape.push('/:key');
  return `${method} ${shape.join('')}`;
}
subscribe('http.server.request.start', (message) => {
  const request = (message as { request: IncomingMessage }).request;
  const key = route(request.method ?? '?', request.url ?? '');
  counts.set(key, (counts.get(key) ?? 0) + 1);
});
process.on('exit', () => {
  const file = process.env.KVSC_CENSUS_FILE;
  if (file === undefined || counts.size === 0) return;
  appendFileSync(file, `${JSON.stringify({ pid: process.pid, counts: Object.fromEntries(counts) })}\n`);
});
