import type * as Fs from 'node:fs';
import { mkdtempSync } from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { newStoreMeta } from '../../server/new-store-meta.ts';
import { DirectoryBackend } from '../../server/storage/directory-backend.ts';

/**
 * What the backend did to the disk, in order: `unlink P`, `rename A -> B`, `rm P`, and `fsync D`
 * for an fsync of a folder (opened with flag `r`). A crash can undo a change to a folder's entries
 * (create, rename, unlink) until that folder is fsynced, so each change must be followed by an
 * fsync of its folder before the call resolves: a power loss cannot be staged in a test, but the
 * order of the calls can be read.
 */
const journal = vi.hoisted(() => [] as string[]);

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof Fs>();
  const folders = new Map<number, string>();
  return {
    ...real,
    openSync: (...args: Parameters<typeof real.openSync>) => {
      const fd = real.openSync(...args);
      if (args[1] === 'r') folders.set(fd, String(args[0]));
      return fd;
    },
    fsyncSync: (fd: number) => {
      real.fsyncSync(fd);
      if (folders.has(fd)) journal.push(`fsync ${folders.get(fd)}`);
    },
    closeSync: (fd: number) => {
      folders.delete(fd);
      real.closeSync(fd);
    },
  };
});

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof FsPromises>();
  return {
    ...real,
    open: async (...args: Parameters<typeof real.open>) => {
      const handle = await real.open(...args);
      if (args[1] === 'r') {
        const sync = handle.sync.bind(handle);
        handle.sync = async () => {
          await sync();
          journal.push(`fsync ${String(args[0])}`);
        };
      }
      return handle;
    },
    unlink: async (path: string) => {
      await real.unlink(path);
      journal.push(`unlink ${path}`);
    },
    rename: async (from: string, to: string) => {
      await real.rename(from, to);
      journal.push(`rename ${from} -> ${to}`);
    },
    rm: async (path: string, options?: Parameters<typeof real.rm>[1]) => {
      await real.rm(path, options);
      journal.push(`rm ${path}`);
    },
  };
});

/** The journal entries from `from` on, with `root` written as `ROOT`. */
function since(from: number, root: string): string[] {
  return journal.slice(from).map((entry) => entry.replaceAll(root, 'ROOT'));
}

describe('the directory backend fsyncs the folder after every change to its entries', () => {
  let root = '';
  let backend: DirectoryBackend;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'kvsc-fsync-'));
    backend = new DirectoryBackend(root);
  });

  it('a new store folder: key_value_stores/ is fsynced before createStore resolves', async () => {
    const from = journal.length;
    await backend.createStore(newStoreMeta('made', 1));
    expect(since(from, root).at(-1)).toBe('fsync ROOT/key_value_stores');
  });

  it('a renamed store folder: key_value_stores/ is fsynced after the rename', async () => {
    const meta = newStoreMeta('before', 1);
    await backend.createStore(meta);
    const from = journal.length;
    await backend.saveStore({ ...meta, name: 'after' }, true);
    const done = since(from, root);
    const renamed = done.indexOf('rename ROOT/key_value_stores/before -> ROOT/key_value_stores/after');
    expect(renamed).toBeGreaterThanOrEqual(0);
    expect(done.slice(renamed + 1)).toContain('fsync ROOT/key_value_stores');
  });

  it('a deleted store folder: key_value_stores/ is fsynced after it is removed', async () => {
    const meta = newStoreMeta('gone', 1);
    await backend.createStore(meta);
    const from = journal.length;
    await backend.deleteStore(meta.id);
    expect(since(from, root)).toEqual(['rm ROOT/key_value_stores/gone', 'fsync ROOT/key_value_stores']);
  });

  it('a deleted record: the store folder is fsynced after both unlinks', async () => {
    const meta = newStoreMeta('records', 1);
    await backend.createStore(meta);
    await backend.putRecord(meta.id, {
      key: 'a',
      contentType: 'application/json',
      encoding: null,
      value: Buffer.from('1'),
    });
    const from = journal.length;
    expect(await backend.deleteRecord(meta.id, 'a')).toBe(1);
    expect(since(from, root)).toEqual([
      'unlink ROOT/key_value_stores/records/a.json',
      'unlink ROOT/key_value_stores/records/a.__metadata__.json',
      'fsync ROOT/key_value_stores/records',
    ]);
  });

  it('an overwrite that changes the file extension: the store folder is fsynced after the old file is unlinked', async () => {
    const meta = newStoreMeta('retyped', 1);
    await backend.createStore(meta);
    const record = { key: 'a', contentType: 'application/json', encoding: null, value: Buffer.from('1') };
    await backend.putRecord(meta.id, record);
    const from = journal.length;
    await backend.putRecord(meta.id, { ...record, contentType: 'text/plain' });
    expect(since(from, root).slice(-2)).toEqual([
      'unlink ROOT/key_value_stores/retyped/a.json',
      'fsync ROOT/key_value_stores/retyped',
    ]);
  });

  it('a storage folder made at start-up: every folder holding a new one is fsynced', () => {
    const from = journal.length;
    new DirectoryBackend(join(root, 'new', 'data'));
    expect(since(from, root)).toEqual(['fsync ROOT/new/data', 'fsync ROOT/new', 'fsync ROOT']);
  });
});
