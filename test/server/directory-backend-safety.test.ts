import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnCli } from '../../proof/run-cli.ts';
import { startServer, type RunningServer } from '../../server/index.ts';
import { createStore, send } from './server-fixture.ts';
import { startServerProcess } from './server-process.ts';

function storageDir(): string {
  return mkdtempSync(join(tmpdir(), 'kvsc-dir-safety-'));
}

/** Runs `fn` against an in-process server on `dir`, closing it after. */
async function withServer<T>(dir: string, fn: (server: RunningServer) => Promise<T>): Promise<T> {
  const server = await startServer({ storage: dir });
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

const record = (store: string, key: string) => `/v2/key-value-stores/${store}/records/${key}`;

async function put(base: string, store: string, key: string, body: string, type = 'application/json') {
  return (await send(base, 'PUT', record(store, key), { body, headers: { 'content-type': type } })).status;
}

async function keysOf(base: string, store: string): Promise<string[]> {
  const page = (await send(base, 'GET', `/v2/key-value-stores/${store}/keys`)).json() as {
    data: { items: { key: string }[] };
  };
  return page.data.items.map((item) => item.key);
}

/** `serve --storage dir` as a child process until it exits (stopped once it listens); its exit code and output. */
async function serveUntilExit(dir: string): Promise<{ code: number | null; output: string }> {
  const serve = spawnCli(['serve', '--port', '0', '--storage', dir]);
  serve.waitForStdout(/listening on/, 120_000).then(
    () => serve.child.kill('SIGTERM'),
    () => undefined,
  );
  const { code } = await serve.done;
  return { code, output: serve.output() };
}

describe('directory backend: record file names', () => {
  it('keys a and a.json (both JSON) keep their own values, and deleting a.json leaves a readable', async () => {
    await withServer(storageDir(), async (server) => {
      const id = await createStore(server.url, 'pair');
      expect(await put(server.url, id, 'a', '"value of a"')).toBe(201);
      expect(await put(server.url, id, 'a.json', '"value of a.json"')).toBe(201);
      expect((await send(server.url, 'GET', record(id, 'a'))).body.toString()).toBe('"value of a"');
      expect((await send(server.url, 'GET', record(id, 'a.json'))).body.toString()).toBe('"value of a.json"');
      expect((await send(server.url, 'DELETE', record(id, 'a.json'))).status).toBe(204);
      const a = await send(server.url, 'GET', record(id, 'a'));
      expect(a.status).toBe(200);
      expect(a.body.toString()).toBe('"value of a"');
    });
  });

  it('keys of 237 to 256 characters are stored (201) and read back byte-exact after a restart', async () => {
    const dir = storageDir();
    const keys = [237, 238, 239, 250, 255, 256].map((length) => `${length}-`.padEnd(length, 'k'));
    await withServer(dir, async (server) => {
      const id = await createStore(server.url, 'long');
      for (const key of keys) expect(await put(server.url, id, key, JSON.stringify(key)), key).toBe(201);
    });
    await withServer(dir, async (server) => {
      expect((await keysOf(server.url, '~long')).sort()).toEqual([...keys].sort());
      for (const key of keys) {
        const read = await send(server.url, 'GET', record('~long', key));
        expect(read.body.toString(), key).toBe(JSON.stringify(key));
      }
    });
    for (const file of readdirSync(join(dir, 'key_value_stores', 'long')))
      expect(Buffer.byteLength(file)).toBeLessThanOrEqual(255);
  });

  it('keys that read as metadata names (__metadata__, x.__metadata__) keep their values across a restart', async () => {
    const dir = storageDir();
    const keys = ['__metadata__', 'x.__metadata__', 'x'];
    await withServer(dir, async (server) => {
      const id = await createStore(server.url, 'meta-names');
      for (const key of keys) expect(await put(server.url, id, key, JSON.stringify(key))).toBe(201);
    });
    await withServer(dir, async (server) => {
      const store = (await send(server.url, 'GET', '/v2/key-value-stores/~meta-names')).json() as {
        data: { name: string };
      };
      expect(store.data.name).toBe('meta-names');
      for (const key of keys)
        expect((await send(server.url, 'GET', record('~meta-names', key))).body.toString()).toBe(
          JSON.stringify(key),
        );
    });
  });

  it('loads a store written by version 0.1 and moves its files to the current names', async () => {
    const dir = storageDir();
    const folder = join(dir, 'key_value_stores', 'old');
    mkdirSync(folder, { recursive: true });
    // 0.1 named a record `{key}` when the key already ended with its extension.
    writeFileSync(join(folder, 'photo.png'), Buffer.from([137, 80, 78, 71]));
    writeFileSync(
      join(folder, 'photo.png.__metadata__.json'),
      JSON.stringify({
        key: 'photo.png',
        file: 'photo.png',
        contentType: 'image/png',
        encoding: null,
        size: 4,
      }),
    );
    await withServer(dir, async (server) => {
      const read = await send(server.url, 'GET', record('~old', 'photo.png'));
      expect([...read.body]).toEqual([137, 80, 78, 71]);
      expect(read.headers['content-type']).toBe('image/png');
      // Key `photo` (PNG) now gets `photo.png` without touching the moved record.
      expect(await put(server.url, '~old', 'photo', 'other', 'image/png')).toBe(201);
      expect([...(await send(server.url, 'GET', record('~old', 'photo.png'))).body]).toEqual([
        137, 80, 78, 71,
      ]);
    });
    expect(readdirSync(folder)).toContain('photo.png.png');
  });

  it('a 0.1 file two keys claim goes to the key whose size matches, and stops the start when that is unclear', async () => {
    const dir = storageDir();
    const folder = join(dir, 'key_value_stores', 'clash');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'a.json'), '"the value of a.json"');
    const meta = (key: string, size: number) =>
      JSON.stringify({ key, file: 'a.json', contentType: 'application/json', encoding: null, size });
    writeFileSync(join(folder, 'a.__metadata__.json'), meta('a', 3));
    writeFileSync(join(folder, 'a.json.__metadata__.json'), meta('a.json', 21));
    await withServer(dir, async (server) => {
      expect((await send(server.url, 'GET', record('~clash', 'a.json'))).body.toString()).toBe(
        '"the value of a.json"',
      );
      expect((await send(server.url, 'GET', record('~clash', 'a'))).status).toBe(404);
    });

    const unclear = storageDir();
    const unclearFolder = join(unclear, 'key_value_stores', 'clash');
    mkdirSync(unclearFolder, { recursive: true });
    writeFileSync(join(unclearFolder, 'a.json'), '"21 bytes of a value"');
    writeFileSync(join(unclearFolder, 'a.__metadata__.json'), meta('a', 21));
    writeFileSync(join(unclearFolder, 'a.json.__metadata__.json'), meta('a.json', 21));
    const { code, output } = await serveUntilExit(unclear);
    expect(code).toBe(2);
    expect(output).toContain(join(unclearFolder, 'a.json'));
    expect(output).toContain(join(unclearFolder, 'a.__metadata__.json'));
  });

  it('a write cut short after its commit is finished on start, and the old file of another media type never comes back', async () => {
    const dir = storageDir();
    const folder = join(dir, 'key_value_stores', 'cut');
    mkdirSync(folder, { recursive: true });
    // The state a kill leaves between the metadata commit and the move of the staged value.
    writeFileSync(join(folder, 'k.json'), '"old json value"');
    writeFileSync(join(folder, '~tmp-abcdefABCDEF'), 'new text value');
    writeFileSync(
      join(folder, 'k.__metadata__.json'),
      JSON.stringify({
        key: 'k',
        contentType: 'text/plain',
        extension: 'txt',
        encoding: null,
        size: 14,
        staged: '~tmp-abcdefABCDEF',
      }),
    );
    await withServer(dir, async (server) => {
      const read = await send(server.url, 'GET', record('~cut', 'k'));
      expect(read.body.toString()).toBe('new text value');
      expect(read.headers['content-type']).toBe('text/plain');
      expect((await send(server.url, 'DELETE', record('~cut', 'k'))).status).toBe(204);
    });
    await withServer(dir, async (server) => {
      expect((await send(server.url, 'GET', record('~cut', 'k'))).status).toBe(404);
      expect(await keysOf(server.url, '~cut')).toEqual([]);
    });
  });

  it("a record metadata file's file field reaches nothing outside the store folder (read or delete)", async () => {
    const dir = storageDir();
    const folder = join(dir, 'key_value_stores', 'escape');
    mkdirSync(folder, { recursive: true });
    const outside = join(dir, 'outside.txt');
    writeFileSync(outside, 'secret outside the store');
    writeFileSync(
      join(folder, 'x.__metadata__.json'),
      JSON.stringify({
        key: 'x',
        file: '../../outside.txt',
        contentType: 'text/plain',
        encoding: null,
        size: 24,
      }),
    );
    await withServer(dir, async (server) => {
      const read = await send(server.url, 'GET', record('~escape', 'x'));
      expect(read.body.toString()).not.toContain('secret');
      await send(server.url, 'DELETE', record('~escape', 'x'));
    });
    expect(readFileSync(outside, 'utf8')).toBe('secret outside the store');
  });
});

describe('directory backend: store folders', () => {
  it('a store named with another store id gets its own folder; deleting it leaves the server and the other store alive', async () => {
    const dir = storageDir();
    const server = await startServerProcess(['--storage', dir]);
    try {
      const unnamed = await createStore(server.url);
      expect(await put(server.url, unnamed, 'kept', '"kept"')).toBe(201);
      const named = await createStore(server.url, unnamed);
      expect(named).not.toBe(unnamed);
      expect(await put(server.url, named, 'other', '"other"')).toBe(201);
      expect(await keysOf(server.url, unnamed)).toEqual(['kept']);
      await send(server.url, 'GET', record(unnamed, 'kept')); // a counter change, flushed lazily
      expect((await send(server.url, 'DELETE', `/v2/key-value-stores/${named}`)).status).toBe(204);
      // The lazy metadata flush runs about 1 s later; the server must still be there after it.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(server.child.exitCode).toBeNull();
      expect((await send(server.url, 'GET', record(unnamed, 'kept'))).body.toString()).toBe('"kept"');
      // A stop flushes whatever is still pending, so the flush is checked even on a slow machine.
      await server.stop();
      expect(server.child.exitCode).toBe(0);
    } finally {
      await server.stop();
    }
    await withServer(dir, async (restarted) => {
      expect((await send(restarted.url, 'GET', record(await storeIdOf(restarted.url), 'kept'))).status).toBe(
        200,
      );
    });
  });

  it('renaming a store onto a name whose folder exists answers 200 and keeps both folders apart', async () => {
    const dir = storageDir();
    await withServer(dir, async (server) => {
      const unnamed = await createStore(server.url);
      await put(server.url, unnamed, 'u', '"u"');
      const renamed = await createStore(server.url, 'before');
      await put(server.url, renamed, 'r', '"r"');
      mkdirSync(join(dir, 'key_value_stores', 'foreign'));
      for (const name of [unnamed, 'foreign']) {
        const answer = await send(server.url, 'PUT', `/v2/key-value-stores/${renamed}`, {
          body: JSON.stringify({ name }),
          headers: { 'content-type': 'application/json' },
        });
        expect(answer.status, name).toBe(200);
        expect(await keysOf(server.url, renamed)).toEqual(['r']);
        expect(await keysOf(server.url, unnamed)).toEqual(['u']);
      }
    });
    expect(existsSync(join(dir, 'key_value_stores', 'foreign'))).toBe(true);
    await withServer(dir, async (server) => {
      expect(await keysOf(server.url, '~foreign')).toEqual(['r']);
    });
  });

  it('a corrupt metadata file stops serve with exit 2 and the path of the file', async () => {
    const dir = storageDir();
    const folder = join(dir, 'key_value_stores', 'broken');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, '__metadata__.json'), '{"id": "abc", "name": ');
    const { code, output } = await serveUntilExit(dir);
    expect(code).toBe(2);
    expect(output).toContain(join(folder, '__metadata__.json'));
    expect(output).not.toContain('cannot listen');
  });
});

async function storeIdOf(base: string): Promise<string> {
  const list = (await send(base, 'GET', '/v2/key-value-stores?unnamed=1')).json() as {
    data: { items: { id: string; name: string | null }[] };
  };
  const unnamed = list.data.items.find((item) => item.name === null);
  if (!unnamed) throw new Error('no unnamed store');
  return unnamed.id;
}
