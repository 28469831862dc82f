import { describe, expect, it } from 'vitest';
import { send, useServer } from './server-fixture.ts';

const server = await useServer();

describe('get-or-create by name', () => {
  it('50 concurrent creates with one name yield one id: one 201, the rest 200', async () => {
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => send(server.url, 'POST', '/v2/key-value-stores?name=race')),
    );
    const ids = new Set(responses.map((response) => (response.json() as { data: { id: string } }).data.id));
    expect(ids.size).toBe(1);
    expect(responses.map((response) => response.status).sort((a, b) => a - b)).toEqual([
      ...Array<number>(49).fill(200),
      201,
    ]);
    expect(responses.find((response) => response.status === 201)?.headers.location).toMatch(
      /\/v2\/key-value-stores\/[a-zA-Z0-9]{17}$/,
    );
  });

  it('a name is free again after its store is deleted, with a new id', async () => {
    const first = (await send(server.url, 'POST', '/v2/key-value-stores?name=reuse')).json() as {
      data: { id: string };
    };
    expect((await send(server.url, 'DELETE', `/v2/key-value-stores/${first.data.id}`)).status).toBe(204);
    const second = await send(server.url, 'POST', '/v2/key-value-stores?name=reuse');
    expect(second.status).toBe(201);
    expect((second.json() as { data: { id: string } }).data.id).not.toBe(first.data.id);
  });

  it('refuses to rename a store to a taken name and leaves both unchanged', async () => {
    await send(server.url, 'POST', '/v2/key-value-stores?name=taken');
    const other = (await send(server.url, 'POST', '/v2/key-value-stores?name=other')).json() as {
      data: { id: string };
    };
    const refused = await send(server.url, 'PUT', `/v2/key-value-stores/${other.data.id}`, {
      body: JSON.stringify({ name: 'taken' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(refused.status).toBe(400);
    expect(
      (
        (await send(server.url, 'GET', `/v2/key-value-stores/${other.data.id}`)).json() as {
          data: { name: string };
        }
      ).data.name,
    ).toBe('other');
  });
});
