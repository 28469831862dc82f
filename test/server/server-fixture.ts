import { afterAll } from 'vitest';
import { request } from 'undici';
import { startServer, type RunningServer, type ServerOptions } from '../../server/index.ts';

/** Starts a reference server on a free port for this test file and closes it after. */
export async function useServer(options: ServerOptions = {}): Promise<RunningServer> {
  const server = await startServer(options);
  afterAll(() => server.close());
  return server;
}

/** One HTTP exchange against a server, with the body read as a Buffer. */
export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json(): unknown;
}

/** Sends a request with undici and reads the whole answer. */
export async function send(
  base: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<TestResponse> {
  const response = await request(`${base}${path}`, {
    method: method as 'GET',
    headers: options.headers ?? {},
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  const body = Buffer.from(await response.body.arrayBuffer());
  return {
    status: response.statusCode,
    headers: response.headers,
    body,
    json: () => JSON.parse(body.toString('utf8')) as unknown,
  };
}

/** Creates a store (named when `name` is given) and returns its id. */
export async function createStore(
  base: string,
  name?: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const query = name === undefined ? '' : `?name=${name}`;
  const response = await send(base, 'POST', `/v2/key-value-stores${query}`, { headers });
  return (response.json() as { data: { id: string } }).data.id;
}
