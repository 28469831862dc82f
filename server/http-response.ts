import type { ServerResponse } from 'node:http';
import type { ApiError } from './api-error.ts';

/** Sends a JSON body with its length. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Sends a status without a body (204, or any answer to HEAD). */
export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, headers);
  res.end();
}

/** Sends the documented error body (`{error:{type,message}}`), or no body for HEAD. */
export function sendApiError(res: ServerResponse, error: ApiError, head: boolean): void {
  if (head) sendEmpty(res, error.status, { ...error.headers });
  else
    sendJson(
      res,
      error.status,
      { error: { type: error.type, message: error.message } },
      { ...error.headers },
    );
}
