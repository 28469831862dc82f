import { Writable } from 'node:stream';
import { secretRedactor } from './redact.ts';

/**
 * A stream that writes to `target` with every secret redacted (in every spelling of
 * secretForms). Text is passed on line by line, so a secret split across two writes is still
 * seen whole; `end()` flushes the last partial line. The test runner's console output (its
 * reporters, its error serializer, the workers' console) goes through one of these.
 */
export function redactingWritable(target: NodeJS.WritableStream, secrets: readonly string[]): Writable {
  let pending = '';
  const redact = secretRedactor(secrets);
  return new Writable({
    decodeStrings: false,
    write(chunk: Buffer | string, _encoding, callback) {
      pending += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      const end = pending.lastIndexOf('\n');
      if (end === -1) {
        callback();
        return;
      }
      const lines = pending.slice(0, end + 1);
      pending = pending.slice(end + 1);
      target.write(redact(lines), () => callback());
    },
    final(callback) {
      if (pending === '') {
        callback();
        return;
      }
      target.write(redact(pending), () => callback());
      pending = '';
    },
  });
}
