// A proxy in front of the reference server that hands out UUID store ids (as the JDK and Python
// trial servers did): every store id in a JSON answer or a header is swapped for a UUID, and back
// in request paths and bodies. It tests what the harness does with ids of a format it does not know.
import { randomUUID } from 'node:crypto';
import { startFaultProxy, type FaultProxy } from '../../proof/faults/fault-proxy.ts';

/** A listening UUID-id proxy. */
export type UuidIdProxy = FaultProxy;

const ID_FIELD = /"id":"([A-Za-z0-9]{17})"/g;

const replaceAll = (text: string, pairs: ReadonlyMap<string, string>): string => {
  let result = text;
  for (const [from, to] of pairs) result = result.split(from).join(to);
  return result;
};

const isJson = (headers: Readonly<Record<string, string>>): boolean =>
  /json/.test(headers['content-type'] ?? '');

/** Starts the proxy in front of `upstream`. */
export function startUuidIdProxy(upstream: string): Promise<UuidIdProxy> {
  const toUuid = new Map<string, string>();
  const toUpstream = new Map<string, string>();
  return startFaultProxy(upstream, {
    request: async (request, forward) => {
      const answer = await forward({
        ...request,
        path: replaceAll(request.path, toUpstream),
        body: isJson(request.headers)
          ? Buffer.from(replaceAll(request.body.toString('utf8'), toUpstream))
          : request.body,
      });
      let body = answer.body;
      if (isJson(answer.headers)) {
        const text = body.toString('utf8');
        for (const match of text.matchAll(ID_FIELD)) {
          const id = match[1] ?? '';
          if (!toUuid.has(id)) {
            const uuid = randomUUID();
            toUuid.set(id, uuid);
            toUpstream.set(uuid, id);
          }
        }
        body = Buffer.from(replaceAll(text, toUuid));
      }
      const headers = Object.fromEntries(
        Object.entries(answer.headers).map(([name, value]) => [name, replaceAll(value, toUuid)]),
      );
      return { ...answer, path: request.path, headers, body };
    },
  });
}
