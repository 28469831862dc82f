// The building blocks of the hostile cases: ways a target misbehaves, each a Behaviour of the
// hostile server, and `when` to limit one to some requests.
import { gzipSync } from 'node:zlib';
import { answer, type Behaviour, type SeenRequest } from './hostile-server.ts';

/** `act` on the requests `match` selects; every other request goes to the correct target. */
export const when =
  (match: (request: SeenRequest) => boolean, act: Behaviour): Behaviour =>
  (request, res, state) =>
    match(request) ? act(request, res, state) : false;

/** Never answers. */
export const hang: Behaviour = () => true;
/** Drops the connection without an answer. */
export const reset: Behaviour = (_request, res) => {
  res.socket?.destroy();
  return true;
};
/** Sends headers, then one byte of the body every 300 ms, forever. */
export const drip: Behaviour = (_request, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  const timer = setInterval(() => res.write(' '), 300);
  res.on('close', () => clearInterval(timer));
  return true;
};
/** A 100 KB header. */
export const hugeHeader: Behaviour = (_request, res) =>
  answer(res, 200, '{}', { 'content-type': 'application/json', 'x-big': 'x'.repeat(100_000) });
/** Announces and streams 1 GiB of JSON-looking bytes until the client hangs up. */
export const gigabyte: Behaviour = (_request, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(1 << 30) });
  const chunk = Buffer.alloc(1 << 16, 0x20);
  let sent = 0;
  const pump = (): void => {
    while (sent < 1 << 30 && !res.destroyed) {
      sent += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
  return true;
};
/**
 * 512 MiB of spaces as gzip (about 520 KB on the wire): 512 gzip members of 1 MiB each, which a
 * gzip reader inflates one after the other. Built in milliseconds, so the server never stalls.
 */
const BOMB = ((): Buffer => {
  const member = gzipSync(Buffer.alloc(1 << 20, 0x20), { level: 9 });
  return Buffer.concat(Array.from({ length: 512 }, () => member));
})();
/** Answers the gzip bomb. */
export const gzipBomb: Behaviour = (_request, res) =>
  answer(res, 200, BOMB, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
/** Answers `code` with `body` (JSON unless `headers` say otherwise). */
export const status =
  (code: number, body: Buffer | string, headers: Record<string, string> = {}): Behaviour =>
  (_request, res) =>
    answer(res, code, body, { 'content-type': 'application/json', ...headers });
