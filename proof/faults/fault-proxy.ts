import { endToEndHeaders, forwardRequest } from '../forward-request.ts';
import { startHttpFront } from '../http-front.ts';
import type { LoopbackListener } from '../listen-on-loopback.ts';
import { answerBytes } from './raw-answer.ts';

/** A request as the proxy received it. */
export interface ProxiedRequest {
  readonly method: string;
  /** Path and query. */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** An upstream answer as the proxy saw it, for a fault to rewrite. */
export interface ProxiedAnswer {
  readonly method: string;
  /** Path and query of the request. */
  readonly path: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  /**
   * Write the answer byte for byte on the socket, body included whatever the status and method
   * (for bugs Node's HTTP server would otherwise correct, such as a body on a 204).
   */
  readonly raw?: boolean;
  /**
   * Write the body where HTTP has none, and keep the connection as for any other answer: on an
   * answer to HEAD with its Content-Length (a server whose HEAD handler is its GET handler; RFC 9110
   * §9.3.2), after a 204 without one (a handler that always writes its result; RFC 9110 §15.3.5).
   */
  readonly bodyWhereNone?: boolean;
}

/** What a fault does with an answer: rewrite it, drop the connection, or never answer. */
export type FaultAction = ProxiedAnswer | 'reset' | 'hang';

/** A fault: one realistic server bug, applied to every answer it matches. */
export type Fault = (answer: ProxiedAnswer) => FaultAction;

/**
 * A fault that needs the request: it may change what is forwarded, forward several requests
 * (`forward` sends one to the correct target), or answer by itself.
 */
export type RequestFault = (
  request: ProxiedRequest,
  forward: (request: ProxiedRequest) => Promise<ProxiedAnswer>,
) => Promise<FaultAction>;

/** A listening fault proxy. */
export type FaultProxy = LoopbackListener;

/**
 * A real HTTP server on 127.0.0.1 in front of a correct target (the reference server) that applies
 * a fault: the harness's own tests point the harness at it and expect the fault to be caught under
 * the right rule.
 */
export function startFaultProxy(
  upstream: string,
  fault: Fault | { readonly request: RequestFault },
): Promise<FaultProxy> {
  const forward = async (proxied: ProxiedRequest): Promise<ProxiedAnswer> => {
    const { status, headers, body } = await forwardRequest(upstream, proxied);
    return { method: proxied.method, path: proxied.path, status, headers, body };
  };
  return startHttpFront('fault proxy', async (received, res) => {
    const proxied: ProxiedRequest = { ...received, headers: endToEndHeaders(received.headers) };
    const action =
      typeof fault === 'function' ? fault(await forward(proxied)) : await fault.request(proxied, forward);
    if (action === 'reset') {
      res.socket?.destroy();
      return;
    }
    if (action === 'hang') return;
    if (action.raw) {
      res.socket?.end(answerBytes(action.status, { ...action.headers, connection: 'close' }, action.body));
      return;
    }
    const noContent = action.bodyWhereNone === true && action.status === 204;
    res.writeHead(
      action.status,
      noContent ? action.headers : { ...action.headers, 'content-length': action.body.length },
    );
    // Node's server leaves out the body of an answer to HEAD and of a 204 (its `_hasBody`, set from
    // the method and the status); the server this fault plays writes it.
    if (action.bodyWhereNone) (res as unknown as { _hasBody: boolean })._hasBody = true;
    res.end(action.method === 'HEAD' && !action.bodyWhereNone ? undefined : action.body);
  });
}

/** Rewrites the JSON body of an answer. */
export function editJson(
  answer: ProxiedAnswer,
  edit: (body: Record<string, unknown>) => unknown,
): ProxiedAnswer {
  const body = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
  return { ...answer, body: Buffer.from(JSON.stringify(edit(body))) };
}
