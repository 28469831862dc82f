import { STATUS_CODES } from 'node:http';

/**
 * An HTTP/1.1 answer as the bytes a front writes on the socket itself: status line, `headers`,
 * a Content-Length and the body. For an answer to HEAD (`head`) the body is left out and the
 * Content-Length is `contentLength` when given (the length of the body a GET would get).
 */
export function answerBytes(
  status: number,
  headers: Readonly<Record<string, string>>,
  body: Buffer,
  options: { readonly head?: boolean; readonly contentLength?: string | undefined } = {},
): Buffer {
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    `content-length: ${options.head ? (options.contentLength ?? body.length) : body.length}`,
  ];
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), options.head ? Buffer.alloc(0) : body]);
}
