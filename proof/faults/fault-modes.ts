import { startServer } from '../../server/index.ts';
import type { FaultMode } from './fault-mode.ts';
import { startFaultProxy } from './fault-proxy.ts';
import { startRawFront } from './raw-front.ts';
import { HTTP_FAULTS } from './http-faults.ts';
import { CLIENT_FAULTS } from './client-faults.ts';
import { AUTH_FAULTS } from './auth-faults.ts';
import { CONS_FAULTS } from './cons-faults.ts';
import { KEYS_FAULTS } from './keys-faults.ts';
import { LIMIT_FAULTS } from './limit-faults.ts';
import { NAME_FAULTS } from './name-faults.ts';
import { NOTFOUND_FAULTS } from './notfound-faults.ts';
import { PAGE_FAULTS } from './page-faults.ts';
import { RECORD_FAULTS } from './record-faults.ts';
import { SCHEMA_FAULTS } from './schema-faults.ts';
import { SIGN_FAULTS } from './sign-faults.ts';
import { STATE_FAULTS } from './state-faults.ts';
import { CONCURRENCY_FAULTS } from './concurrency-faults.ts';

export type { FaultMode } from './fault-mode.ts';
export { faultArea } from './fault-mode.ts';
export type { ClientFault } from './client-fault.ts';
export { CLIENT_FAULTS };

/**
 * Every server fault mode `npm run prove` runs; with CLIENT_FAULTS (broken client drivers) at
 * least one fault targets each rule of the catalog.
 */
export const FAULT_MODES: readonly FaultMode[] = [
  ...SCHEMA_FAULTS,
  ...PAGE_FAULTS,
  ...KEYS_FAULTS,
  ...NAME_FAULTS,
  ...NOTFOUND_FAULTS,
  ...CONS_FAULTS,
  ...LIMIT_FAULTS,
  ...RECORD_FAULTS,
  ...AUTH_FAULTS,
  ...SIGN_FAULTS,
  ...STATE_FAULTS,
  ...CONCURRENCY_FAULTS,
  ...HTTP_FAULTS,
];

/** A running faulty target. */
export interface FaultyTarget {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts the reference server (with the mode's options, and the given Actor runs with a default
 * store each) and, when the mode has one, its fault proxy in front.
 */
export async function startFaultyTarget(
  mode: FaultMode,
  token: string,
  runs: readonly string[] = [],
): Promise<FaultyTarget> {
  const server = await startServer({ ...mode.server, tokens: [token], runs });
  if (!mode.fault && !mode.front) return server;
  const proxy = mode.front
    ? await startRawFront(server.url, mode.front())
    : await startFaultProxy(server.url, mode.fault?.(token) ?? ((answer) => answer));
  return {
    url: proxy.url,
    close: async () => {
      await proxy.close();
      await server.close();
    },
  };
}
