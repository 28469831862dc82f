import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { ForwardedRequest } from './forward-request.ts';
import { listenOnLoopback, type LoopbackListener } from './listen-on-loopback.ts';

/** Answers one request that the front has read whole (its headers as received). */
export type FrontHandler = (request: ForwardedRequest, res: ServerResponse) => Promise<void>;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A real HTTP server on 127.0.0.1 in front of a correct target: it reads each request whole and
 * hands it to `handle`, which forwards it (forwardRequest), rewrites the answer or answers itself.
 * A handler that throws answers 502 naming the front (`name`), or drops the connection when the
 * answer has already begun.
 */
export async function startHttpFront(name: string, handle: FrontHandler): Promise<LoopbackListener> {
  const server = createServer((req, res) => {
    const received = async (): Promise<ForwardedRequest> => ({
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers as Record<string, string>,
      body: await readBody(req),
    });
    received()
      .then((request) => handle(request, res))
      .catch((error: Error) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        const body = Buffer.from(`${name}: ${error.message}`);
        res.writeHead(502, { 'content-length': String(body.length) });
        res.end(body);
      });
  });
  return listenOnLoopback(server);
}
