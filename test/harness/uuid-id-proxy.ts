// A proxy in front of the reference server that hands out UUID store ids (as the JDK and Python
// trial servers did): every store id in a JSON answer or a header is swapped for a UUID, and back
// in request paths and bodies. It tests what the harness does with ids of a format it does not know.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

/** A listening UUID-id proxy. */
export interface UuidIdProxy {
  readonly url: string;
  close(): Promise<void>;
}

const ID_FIELD = /"id":"([A-Za-z0-9]{17})"/g;

const replaceAll = (text: string, pairs: ReadonlyMap<string, string>): string => {
  let result = text;
  for (const [from, to] of pairs) result = result.split(from).join(to);
  return result;
};

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Starts the proxy in front of `upstream`. */
export async function startUuidIdProxy(upstream: string): Promise<UuidIdProxy> {
  const toUuid = new Map<string, string>();
  const toUpstream = new Map<string, string>();
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const json = /json/.test(req.headers['content-type'] ?? '');
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          ([name]) => !['host', 'connection', 'content-length', 'transfer-encoding'].includes(name),
        ),
      ) as Record<string, string>;
      const answer = await request(`${upstream}${replaceAll(req.url ?? '/', toUpstream)}`, {
        method: req.method as 'GET',
        headers,
        ...(body.length > 0 ? { body: json ? replaceAll(body.toString('utf8'), toUpstream) : body } : {}),
      });
      let answerBody = Buffer.from(await answer.body.arrayBuffer());
      const answerJson = /json/.test(String(answer.headers['content-type'] ?? ''));
      if (answerJson) {
        const text = answerBody.toString('utf8');
        for (const match of text.matchAll(ID_FIELD)) {
          const id = match[1] ?? '';
          if (!toUuid.has(id)) {
            const uuid = randomUUID();
            toUuid.set(id, uuid);
            toUpstream.set(uuid, id);
          }
        }
        answerBody = Buffer.from(replaceAll(text, toUuid));
      }
      const answerHeaders: Record<string, string> = {};
      for (const [name, value] of Object.entries(answer.headers)) {
        if (['connection', 'keep-alive', 'transfer-encoding', 'content-length'].includes(name)) continue;
        answerHeaders[name] = replaceAll(Array.isArray(value) ? value.join(', ') : String(value), toUuid);
      }
      res.writeHead(answer.statusCode, { ...answerHeaders, 'content-length': answerBody.length });
      res.end(req.method === 'HEAD' ? undefined : answerBody);
    })().catch((error: Error) => {
      res.writeHead(502);
      res.end(`uuid proxy: ${error.message}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
