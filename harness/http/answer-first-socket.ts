import { Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { buildConnector } from 'undici';

/** How an interim 100 answer opens (a reason phrase follows the space, or the line ends). */
const INTERIM_OPENINGS = ['HTTP/1.1 100 ', 'HTTP/1.0 100 ', 'HTTP/1.1 100\r', 'HTTP/1.0 100\r'];

/**
 * A TCP socket on which a failed write never ends the exchange: the read side does, as in curl.
 *
 * A server may answer before it has read the request body (RFC 9110 §15.5.14: an early 413; a 404
 * to a PUT into a missing store) and close the connection with the rest of the body unread, which
 * the kernel turns into a reset. The client's next body write then fails (EPIPE, ECONNRESET)
 * while the answer may still sit unread in the receive buffer; a plain socket is destroyed by that
 * write error and the answer is lost, or not, depending on which event the loop saw first. Here a
 * failed write is noted (`writeError`), every later write is dropped, and the socket lives on until
 * its read side ends: the answer that was sent is read and judged, and only a connection that
 * closed with no answer is "no answer", in every run.
 */
export class AnswerFirstSocket extends Socket {
  #writeError: Error | undefined;
  /** The next bytes received start an answer (a request went out since the last bytes came in). */
  #answerStarts = true;
  #lastWasRead = true;
  /** An interim 100 answer whose end has not arrived yet. */
  #interim: Buffer = Buffer.alloc(0);

  /**
   * Drops interim `100 Continue` answers at the start of an answer. RFC 9110 §15.2: a client must
   * be able to parse 1xx answers it did not expect; undici reads every 1xx but 100, which it
   * refuses ("bad response") unless it sent `Expect`, which the harness never does. Only bytes
   * at the start of an answer are looked at (the first received after a request went out), so no
   * answer body is ever touched.
   */
  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (!Buffer.isBuffer(chunk)) return super.push(chunk, encoding);
    this.#lastWasRead = true;
    let data: Buffer = chunk;
    while (this.#answerStarts && data.length > 0) {
      // Most answers start in one chunk: no copy of it unless part of an interim answer waits.
      const pending = this.#interim.length === 0 ? data : Buffer.concat([this.#interim, data]);
      const opening = pending.subarray(0, 'HTTP/1.1 100 '.length).toString('latin1');
      const interim = INTERIM_OPENINGS.includes(opening);
      // Too few bytes yet to tell an interim 100 from a final answer: wait for more.
      const undecided = !interim && INTERIM_OPENINGS.some((known) => known.startsWith(opening));
      if (undecided) {
        this.#interim = pending;
        return true;
      }
      if (!interim) {
        this.#answerStarts = false;
        this.#interim = Buffer.alloc(0);
        data = pending;
        break;
      }
      const end = pending.indexOf('\r\n\r\n');
      if (end < 0) {
        this.#interim = pending;
        return true;
      }
      this.#interim = Buffer.alloc(0);
      data = pending.subarray(end + 4);
    }
    return data.length === 0 ? true : super.push(data, encoding);
  }

  #noteWrite(): void {
    if (this.#lastWasRead) this.#answerStarts = true;
    this.#lastWasRead = false;
  }

  /** The first write that failed (the body was cut off there), if any. */
  get writeError(): Error | undefined {
    return this.#writeError;
  }

  #settle(callback: (error?: Error | null) => void): (error?: Error | null) => void {
    return (error) => {
      if (error) this.#writeError ??= error;
      callback();
    };
  }

  override _write(chunk: unknown, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#noteWrite();
    if (this.#writeError) {
      callback();
      return;
    }
    super._write(chunk, encoding, this.#settle(callback));
  }

  override _writev(
    chunks: { chunk: unknown; encoding: BufferEncoding }[],
    callback: (error?: Error | null) => void,
  ): void {
    this.#noteWrite();
    if (this.#writeError) {
      callback();
      return;
    }
    // Socket implements _writev; the Writable typings declare it optional.
    (super._writev as NonNullable<Socket['_writev']>)(chunks, this.#settle(callback));
  }
}

/**
 * An undici connector that opens AnswerFirstSockets (TLS on top of one for https targets), with a
 * connect timeout of `timeoutMs`.
 */
export function answerFirstConnector(timeoutMs: number): buildConnector.connector {
  return ({ hostname, protocol, port, servername }, callback) => {
    const https = protocol === 'https:';
    const host = hostname.replace(/^\[(.*)\]$/, '$1');
    const socket = new AnswerFirstSocket();
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      callback(error, null);
    };
    const succeed = (connected: Socket): void => {
      if (settled) return;
      settled = true;
      connected.setTimeout(0);
      connected.removeListener('error', fail);
      callback(null, connected);
    };
    socket.setTimeout(timeoutMs, () =>
      fail(new Error(`connect to ${hostname}:${port} timed out after ${timeoutMs} ms`)),
    );
    socket.once('error', fail);
    socket.setNoDelay(true);
    socket.connect({ host, port: Number(port) || (https ? 443 : 80) }, () => {
      if (!https) {
        succeed(socket);
        return;
      }
      const secure = connectTls({
        socket,
        servername: servername ?? (/^[\d.:]+$/.test(host) ? undefined : host),
        ALPNProtocols: ['http/1.1'],
      });
      secure.once('error', fail);
      secure.once('secureConnect', () => {
        secure.removeListener('error', fail);
        succeed(secure);
      });
    });
  };
}
