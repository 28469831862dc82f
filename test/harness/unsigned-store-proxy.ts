// A proxy in front of a server that signs URLs, hiding that it does: the store object it answers
// shows no urlSigningSecretKey, as a server without URL signing would (KVS-SIGN-001 then fails).
import { startFaultProxy, type FaultProxy } from '../../proof/faults/fault-proxy.ts';
import { isStore } from '../../proof/faults/fault-helpers.ts';

/** Starts the proxy in front of `upstream`. */
export function startUnsignedStoreProxy(upstream: string): Promise<FaultProxy> {
  return startFaultProxy(upstream, (answer) => {
    if (!isStore(answer.path) || answer.status !== 200) return answer;
    const json = JSON.parse(answer.body.toString()) as { data: Record<string, unknown> };
    delete json.data.urlSigningSecretKey;
    return { ...answer, body: Buffer.from(JSON.stringify(json)) };
  });
}
