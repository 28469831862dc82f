import type { ServerResponse } from 'node:http';
import { forwardRequest, type ForwardedRequest, type UpstreamAnswer } from '../forward-request.ts';
import { startHttpFront } from '../http-front.ts';

/** A request as the hostile server received it (every header, as sent). */
export type SeenRequest = ForwardedRequest;

export type { UpstreamAnswer } from '../forward-request.ts';

/** What a behaviour sees of the run so far. */
export interface HostileState {
  /** Every request received, in order. */
  readonly seen: SeenRequest[];
  /** Store names the harness asked to create (`POST …?name=`), so listings can echo them. */
  readonly names: Set<string>;
  /** Sends the request to the correct target (the reference server) and returns its answer. */
  forward(request: SeenRequest): Promise<UpstreamAnswer>;
}

/**
 * A misbehaviour: answers the request itself (returning true once it has taken over `res`), or
 * returns false to let the correct target answer.
 */
export type Behaviour = (
  request: SeenRequest,
  res: ServerResponse,
  state: HostileState,
) => boolean | Promise<boolean>;

/** A listening hostile target. */
export interface HostileServer {
  readonly url: string;
  readonly state: HostileState;
  close(): Promise<void>;
}

/** Sends a complete answer. */
export function answer(
  res: ServerResponse,
  status: number,
  body: Buffer | string,
  headers: Readonly<Record<string, string>> = { 'content-type': 'application/json' },
): true {
  const bytes = Buffer.from(body);
  res.writeHead(status, { ...headers, 'content-length': String(bytes.length) });
  res.end(bytes);
  return true;
}

/**
 * A real HTTP server on 127.0.0.1 that misbehaves as `behaviour` says and otherwise passes every
 * request to `upstream` (a correct target), for the hostile-target table.
 */
export async function startHostileServer(upstream: string, behaviour: Behaviour): Promise<HostileServer> {
  const state: HostileState = {
    seen: [],
    names: new Set(),
    forward: (seen) => forwardRequest(upstream, seen),
  };
  const front = await startHttpFront('hostile server', async (seen, res) => {
    state.seen.push(seen);
    const name = new URL(seen.path, 'http://x').searchParams.get('name');
    if (seen.method === 'POST' && name) state.names.add(name);
    if (await behaviour(seen, res, state)) return;
    const upstreamAnswer = await state.forward(seen);
    res.writeHead(upstreamAnswer.status, {
      ...upstreamAnswer.headers,
      'content-length': String(upstreamAnswer.body.length),
    });
    res.end(seen.method === 'HEAD' ? undefined : upstreamAnswer.body);
  });
  return { ...front, state };
}
