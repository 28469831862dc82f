import { createHash } from 'node:crypto';
import { extensionFor } from './file-extensions.ts';

/** The store's own metadata file. */
export const STORE_METADATA_FILE = '__metadata__.json';
/** What a record's metadata file name ends with (the Crawlee layout: `{key}.__metadata__.json`). */
export const RECORD_METADATA_SUFFIX = '.__metadata__.json';
/** Temp files start with `~`, which no record key, store name or store id can hold. */
export const TEMP_PREFIX = '~tmp-';
/** Temp file names as this backend makes them (a prefix and 12 letters or digits). */
export const TEMP_FILE_PATTERN = /^~tmp-[a-zA-Z0-9]{12}$/;

/** The longest file name (bytes) the common file systems (ext4, XFS, APFS, NTFS) take. */
const FILE_NAME_MAX_BYTES = 255;
/** Marks a hashed name; `#` is not in the record-key alphabet, so a hashed name is never a readable one. */
const HASH_MARK = '#';
/** How much of a hashed key is kept in front of the hash, so a person can still tell files apart. */
const HASHED_PREFIX_CHARS = 100;
/** The key the store metadata file would belong to, and the ending of record metadata files. */
const METADATA_STEM = '__metadata__';

/** The two files of one record, both inside the store folder. */
export interface RecordFileNames {
  /** The value, as uploaded. */
  readonly data: string;
  /** `{key, contentType, extension, encoding, size}` as JSON. */
  readonly metadata: string;
}

/**
 * The file names of a record: `{key}.{ext}` and `{key}.__metadata__.json` (the Crawlee layout)
 * for readable keys; `{first 100 chars}#{sha256 of the key}.{ext}` (and its metadata name) for a key
 * whose metadata name would be over 255 bytes or would read as a metadata name itself (`__metadata__`,
 * `….__metadata__`). The extension is always appended, so keys `a` and `a.json` get `a.json` and
 * `a.json.json`. Injective over valid keys (1–256 of `a-zA-Z0-9!-_.'()`): readable names hold no
 * `#`; a readable data name ends with a media-type extension (no dot in it) after the whole key, so
 * the key is the name without its last `.ext`; names of different keys differ in that key or hash.
 */
export function recordFileNames(key: string, contentType: string): RecordFileNames {
  const extension = extensionFor(contentType);
  const readable =
    key !== METADATA_STEM &&
    !key.endsWith(`.${METADATA_STEM}`) &&
    Buffer.byteLength(key) + RECORD_METADATA_SUFFIX.length <= FILE_NAME_MAX_BYTES;
  const stem = readable
    ? key
    : `${key.slice(0, HASHED_PREFIX_CHARS)}${HASH_MARK}${createHash('sha256').update(key).digest('hex')}`;
  return { data: `${stem}.${extension}`, metadata: `${stem}${RECORD_METADATA_SUFFIX}` };
}

/**
 * The data file name versions up to 0.1 gave a record: just the key when it already ended with the
 * extension of its media type (so `a` and `a.json` shared `a.json`), `.bin` added when that name
 * read as a metadata name. Only used to load and move such files to their current names.
 */
export function legacyDataFileName(key: string, contentType: string): string {
  const extension = extensionFor(contentType);
  const name = key.toLowerCase().endsWith(`.${extension}`) ? key : `${key}.${extension}`;
  return name === STORE_METADATA_FILE || name.endsWith(RECORD_METADATA_SUFFIX) ? `${name}.bin` : name;
}
