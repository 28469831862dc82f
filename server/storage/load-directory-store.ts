import {
  lstatSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
  type Stats,
} from 'node:fs';
import { join } from 'node:path';
import { newStoreMeta } from '../new-store-meta.ts';
import { RECORD_KEY_PATTERN } from '../record-key.ts';
import { ServerOptionError } from '../server-options.ts';
import { isValidStoreName } from '../store-name.ts';
import { extensionFor, guessRecordFromFile, isKnownExtension } from './file-extensions.ts';
import {
  RECORD_METADATA_SUFFIX,
  STORE_METADATA_FILE,
  TEMP_FILE_PATTERN,
  TEMP_PREFIX,
  legacyDataFileName,
  recordFileNames,
} from './record-file-names.ts';
import type { StoreMeta, StoredEncoding } from './storage-backend.ts';

/** One record of a store folder: where its files are and what the API says about it. */
export interface DirectoryRecord {
  /** The data file's name inside the store folder. */
  file: string;
  /** The metadata file's name inside the store folder (none for a file placed by hand). */
  metadataFile: string | null;
  contentType: string;
  encoding: StoredEncoding | null;
  size: number;
}

/** A store folder as loaded. */
export interface LoadedStore {
  readonly meta: StoreMeta;
  /** False for a folder placed by hand (no `__metadata__.json`): its name came from the folder's. */
  readonly described: boolean;
  readonly records: Map<string, DirectoryRecord>;
}

/** A record metadata file's contents, as this backend writes it. */
export interface RecordMetadataFile {
  key: string;
  contentType: string;
  /** The Crawlee layout reads the value from `{key}.{extension}`. */
  extension: string;
  encoding: StoredEncoding | null;
  size: number;
  /** Set while a write is in flight: the temp file holding the new value, moved to its place next. */
  staged?: string;
}

const ENCODINGS: readonly (StoredEncoding | null)[] = ['gzip', 'br', 'deflate', null];
/** Store ids this backend accepts from a metadata file: they go into URL paths and folder names. */
const STORE_ID_PATTERN = /^[a-zA-Z0-9-]{1,64}$/;

function corrupt(path: string, problem: string): ServerOptionError {
  return new ServerOptionError(
    `storage file ${path} ${problem}; repair it or move it out of the storage folder`,
  );
}

function readJson(path: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw corrupt(path, `is not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw corrupt(path, 'is not a JSON object');
  return parsed as Record<string, unknown>;
}

function parseDate(saved: Record<string, unknown>, field: string, path: string, fallback: Date): Date {
  if (saved[field] === undefined) return fallback;
  const date = new Date(saved[field] as string);
  if (typeof saved[field] !== 'string' || Number.isNaN(date.getTime()))
    throw corrupt(path, `has ${field} ${JSON.stringify(saved[field])}, not a date`);
  return date;
}

/**
 * The store metadata (`__metadata__.json`): this backend's fields, or the Crawlee subset
 * (`id, name, createdAt, modifiedAt, accessedAt`) with the rest filled in as for a new store.
 */
function loadStoreMeta(dir: string, dirName: string): StoreMeta | undefined {
  const path = join(dir, STORE_METADATA_FILE);
  const fresh = newStoreMeta(isValidStoreName(dirName) ? dirName : null, 0);
  let saved: Record<string, unknown>;
  try {
    statSync(path);
    saved = readJson(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // a folder placed by hand
    throw error;
  }
  const { id, name } = saved;
  if (typeof id !== 'string' || !STORE_ID_PATTERN.test(id))
    throw corrupt(path, `has id ${JSON.stringify(id)}; allowed: 1 to 64 letters, digits and hyphens`);
  if (name !== null && name !== undefined && (typeof name !== 'string' || !isValidStoreName(name)))
    throw corrupt(path, `has name ${JSON.stringify(name)}, which is not a valid store name`);
  const stats = (typeof saved.stats === 'object' && saved.stats !== null ? saved.stats : {}) as Record<
    string,
    unknown
  >;
  const counter = (field: keyof StoreMeta['stats']): number =>
    typeof stats[field] === 'number' && Number.isFinite(stats[field]) ? stats[field] : 0;
  return {
    ...fresh,
    id,
    name: name ?? null,
    seq: typeof saved.seq === 'number' ? saved.seq : 0,
    createdAt: parseDate(saved, 'createdAt', path, fresh.createdAt),
    modifiedAt: parseDate(saved, 'modifiedAt', path, fresh.modifiedAt),
    accessedAt: parseDate(saved, 'accessedAt', path, fresh.accessedAt),
    ...(typeof saved.generalAccess === 'string'
      ? { generalAccess: saved.generalAccess as StoreMeta['generalAccess'] }
      : {}),
    ...(typeof saved.urlSigningSecretKey === 'string'
      ? { urlSigningSecretKey: saved.urlSigningSecretKey }
      : {}),
    stats: {
      readCount: counter('readCount'),
      writeCount: counter('writeCount'),
      deleteCount: counter('deleteCount'),
      listCount: counter('listCount'),
      storageBytes: counter('storageBytes'),
    },
  };
}

/**
 * A record metadata file, and whether an older layout wrote it: version 0.1 (it has `file`) or
 * Crawlee (it has no `size`), whose data file names may differ from the current ones.
 */
function parseRecordMetadata(path: string): { saved: RecordMetadataFile; olderLayout: boolean } {
  const saved = readJson(path);
  const { key, contentType, encoding, size, staged } = saved;
  if (typeof key !== 'string' || !RECORD_KEY_PATTERN.test(key))
    throw corrupt(path, `has key ${JSON.stringify(key)}, which is not a valid record key`);
  if (typeof contentType !== 'string') throw corrupt(path, 'has no contentType string');
  if (!ENCODINGS.includes((encoding ?? null) as StoredEncoding | null))
    throw corrupt(path, `has encoding ${JSON.stringify(encoding)}; allowed: gzip, br, deflate, null`);
  if (size !== undefined && (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0))
    throw corrupt(path, `has size ${JSON.stringify(size)}, not a whole number of bytes`);
  // A staged name is only ever one of this backend's temp names: nothing else is moved into place.
  if (staged !== undefined && (typeof staged !== 'string' || !TEMP_FILE_PATTERN.test(staged)))
    throw corrupt(path, `has staged ${JSON.stringify(staged)}, which is not a temp file name`);
  return {
    saved: {
      key,
      contentType,
      extension: typeof saved.extension === 'string' ? saved.extension : extensionFor(contentType),
      encoding: (encoding ?? null) as StoredEncoding | null,
      size: size ?? -1,
      ...(staged === undefined ? {} : { staged }),
    },
    olderLayout: 'file' in saved || size === undefined,
  };
}

/** The file's own status (a symbolic link is not followed, so it never passes for a record file). */
function statOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Writes a record metadata file in one rename (used while loading, before any request). */
function writeMetadataSync(dir: string, name: string, saved: RecordMetadataFile): void {
  const temp = join(dir, `${TEMP_PREFIX}load-${process.pid}`);
  writeFileSync(temp, JSON.stringify(saved));
  renameSync(temp, join(dir, name));
}

interface Claim {
  readonly saved: RecordMetadataFile;
  readonly metadataFile: string;
  readonly olderLayout: boolean;
  readonly file: string;
  readonly fileSize: number;
}

/**
 * Loads one store folder. Record metadata is authoritative and never trusted for paths: the data
 * file is found by the record's key and media type (its current name, else the name versions up to
 * 0.1 gave it, which is then moved to the current name). A write that was staged but not moved into
 * place is completed. Undescribed files are records placed by hand (key and type from the name).
 * A file that cannot be read as what it must be stops the load with its path.
 */
export function loadDirectoryStore(
  dir: string,
  dirName: string,
  warn: (message: string) => void,
): LoadedStore {
  const savedMeta = loadStoreMeta(dir, dirName);
  const meta = savedMeta ?? newStoreMeta(isValidStoreName(dirName) ? dirName : null, 0);
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);
  const metadataNames = names.filter(
    (name) => name.endsWith(RECORD_METADATA_SUFFIX) && name !== STORE_METADATA_FILE,
  );

  // Who claims which data file; a file two keys claim came from the old shared names.
  const claims = new Map<string, Claim[]>();
  const byKey = new Map<string, { saved: RecordMetadataFile; metadataFile: string; olderLayout: boolean }>();
  for (const metadataFile of metadataNames) {
    const { saved, olderLayout } = parseRecordMetadata(join(dir, metadataFile));
    const current = recordFileNames(saved.key, saved.contentType);
    const other = byKey.get(saved.key);
    if (other) {
      // Two metadata files of one key: a move to the current name was cut short; the current one wins.
      const keep = metadataFile === current.metadata ? metadataFile : other.metadataFile;
      const drop = keep === metadataFile ? other.metadataFile : metadataFile;
      if (keep !== current.metadata)
        throw corrupt(join(dir, drop), `describes key "${saved.key}" like ${join(dir, keep)} does`);
      unlinkSync(join(dir, drop));
      if (keep === other.metadataFile) continue;
    }
    byKey.set(saved.key, { saved, metadataFile, olderLayout });
  }
  for (const { saved } of byKey.values()) {
    if (saved.staged !== undefined && statOrUndefined(join(dir, saved.staged))) {
      // The write was committed (its metadata was in place) but not moved: finish it.
      renameSync(join(dir, saved.staged), join(dir, recordFileNames(saved.key, saved.contentType).data));
    }
  }
  for (const { saved, metadataFile, olderLayout } of byKey.values()) {
    const current = recordFileNames(saved.key, saved.contentType);
    // Only metadata of an older layout may point at an older file name: a current record's missing
    // file (a delete cut short) must not take the file of the key that now holds that name.
    const candidates = olderLayout
      ? [current.data, legacyDataFileName(saved.key, saved.contentType)]
      : [current.data];
    for (const file of candidates) {
      const stats = statOrUndefined(join(dir, file));
      if (!stats?.isFile()) continue;
      const list = claims.get(file) ?? [];
      list.push({ saved, metadataFile, olderLayout, file, fileSize: stats.size });
      claims.set(file, list);
      break;
    }
  }

  const records = new Map<string, DirectoryRecord>();
  const described = new Set<string>(metadataNames);
  for (const [file, list] of claims) {
    described.add(file);
    const matching = list.filter((claim) => claim.saved.size === -1 || claim.saved.size === claim.fileSize);
    if (list.length > 1 && matching.length !== 1) {
      throw corrupt(
        join(dir, file),
        `is claimed by ${list.map((claim) => join(dir, claim.metadataFile)).join(' and ')} (an old version gave these keys one file); delete the metadata file of the key whose value it is not`,
      );
    }
    for (const claim of list.filter((candidate) => !matching.includes(candidate))) {
      if (list.length > 1) {
        // Its value was overwritten by the other key's under the old shared names: nothing is left of it.
        warn(
          `record "${claim.saved.key}" lost its value to a file-name collision of an old version; removing ${join(dir, claim.metadataFile)}`,
        );
        unlinkSync(join(dir, claim.metadataFile));
      } else {
        warn(
          `record "${claim.saved.key}": ${join(dir, file)} has ${claim.fileSize} bytes, its metadata says ${claim.saved.size}; not loaded`,
        );
      }
    }
    const winner = matching[0];
    if (!winner) continue;
    const { saved } = winner;
    const current = recordFileNames(saved.key, saved.contentType);
    if (file !== current.data) renameSync(join(dir, file), join(dir, current.data));
    // Metadata last: until it is rewritten, a load still finds the moved file by its current name.
    if (winner.olderLayout || saved.staged !== undefined || winner.metadataFile !== current.metadata) {
      const settled: RecordMetadataFile = { ...saved, size: winner.fileSize };
      delete settled.staged;
      writeMetadataSync(dir, current.metadata, settled);
      if (winner.metadataFile !== current.metadata) unlinkSync(join(dir, winner.metadataFile));
    }
    records.set(saved.key, {
      file: current.data,
      metadataFile: current.metadata,
      contentType: saved.contentType,
      encoding: saved.encoding,
      size: winner.fileSize,
    });
  }

  // `{stem}.{ext}` files of a key this layout described: left by a write that changed the record's
  // media type and was cut short before it removed the old file. Kept, one would come back as the
  // record after a delete.
  const currentStems = new Set(
    [...byKey.values()]
      .filter((entry) => !entry.olderLayout && records.has(entry.saved.key))
      .map((entry) =>
        recordFileNames(entry.saved.key, entry.saved.contentType).metadata.slice(
          0,
          -RECORD_METADATA_SUFFIX.length,
        ),
      ),
  );
  for (const file of names) {
    if (described.has(file) || file === STORE_METADATA_FILE) continue;
    const dot = file.lastIndexOf('.');
    if (dot > 0 && currentStems.has(file.slice(0, dot)) && isKnownExtension(file.slice(dot + 1))) {
      rmSync(join(dir, file), { force: true });
      continue;
    }
    if (file.startsWith(TEMP_PREFIX)) {
      // A write that was never committed, or one already moved into place above.
      rmSync(join(dir, file), { force: true });
      continue;
    }
    const { key, contentType } = guessRecordFromFile(file);
    if (!RECORD_KEY_PATTERN.test(key)) {
      warn(`${join(dir, file)} is not a record: "${key}" is not a valid record key; left alone`);
      continue;
    }
    if (!records.has(key)) {
      records.set(key, {
        file,
        metadataFile: null,
        contentType,
        encoding: null,
        size: statSync(join(dir, file)).size,
      });
    }
  }
  return { meta, described: savedMeta !== undefined, records };
}
