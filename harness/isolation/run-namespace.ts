import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

/**
 * Where journal lines go: the journal's path, or a file descriptor open on it for appending (a
 * suite file opens it once rather than once per line).
 */
export type JournalTarget = string | number;

/** A store the run created, as written to the journal. */
export interface CreatedStore {
  readonly id: string;
  readonly name: string | null;
}

/** A fresh run prefix for store names: `kvsc-<8 random>-` plus the shard, DNS-safe. */
export function newRunPrefix(shard?: { readonly index: number; readonly count: number }): string {
  const id = randomBytes(6).toString('hex').slice(0, 8);
  return shard ? `kvsc-${id}-s${shard.index}-` : `kvsc-${id}-`;
}

/**
 * Appends a created store to the run's journal (synchronously, so a killed worker loses nothing it
 * acknowledged). `settles` marks the answer to a create request journaled as sent (`recordCreateSent`).
 */
export function recordCreatedStore(journalFile: JournalTarget, store: CreatedStore, settles = false): void {
  appendFileSync(
    journalFile,
    `${JSON.stringify({ id: store.id, name: store.name, ...(settles ? { settled: true } : {}) })}\n`,
  );
}

/**
 * Journals a create request before it is sent. Each one is settled by its answer: the store it
 * made (`recordCreatedStore` with `settles`) or `recordCreateSettled` (it made none). One left
 * unsettled (no answer, an answer without a readable id, a worker killed in between) may have
 * made a store the journal does not hold: cleanup then lists the stores to report it.
 */
export function recordCreateSent(journalFile: JournalTarget): void {
  appendFileSync(journalFile, '{"sent":true}\n');
}

/** Journals that a create request sent (`recordCreateSent`) was answered without making a store. */
export function recordCreateSettled(journalFile: JournalTarget): void {
  appendFileSync(journalFile, '{"settled":true}\n');
}

/** Journals that a store of the run is gone (its DELETE answered 204 or 404): cleanup leaves it be. */
export function recordDeletedStore(journalFile: JournalTarget, storeId: string): void {
  appendFileSync(journalFile, `${JSON.stringify({ deleted: storeId })}\n`);
}

/** What the journal says: the stores created, those already deleted, and create requests never settled. */
export interface RunJournal {
  /** Every store created, once each, in the order first journaled. */
  readonly created: readonly CreatedStore[];
  /** Ids of created stores whose delete the run saw answered. */
  readonly deleted: ReadonlySet<string>;
  /** Create requests sent and never settled: stores may exist that the journal does not hold. */
  readonly unsettled: number;
}

/** Reads the run's journal; a line cut off by a killed worker is skipped. */
export function readRunJournal(journalFile: string): RunJournal {
  const byId = new Map<string, CreatedStore>();
  const deleted = new Set<string>();
  let unsettled = 0;
  if (!existsSync(journalFile)) return { created: [], deleted, unsettled };
  for (const line of readFileSync(journalFile, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    let entry: { id?: unknown; name?: unknown; sent?: unknown; settled?: unknown; deleted?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      // A line cut off by a killed worker names no complete store.
      continue;
    }
    if (entry.sent === true) unsettled += 1;
    if (entry.settled === true) unsettled -= 1;
    if (typeof entry.deleted === 'string') deleted.add(entry.deleted);
    if (typeof entry.id === 'string') {
      byId.set(entry.id, { id: entry.id, name: typeof entry.name === 'string' ? entry.name : null });
      // Created again after a delete: the store is there again.
      deleted.delete(entry.id);
    }
  }
  return { created: [...byId.values()], deleted, unsettled: Math.max(0, unsettled) };
}

/**
 * Store names for one test file: `<run prefix><label>-<n>`, unique within the run, at most 63
 * characters, DNS-safe (letters, digits, inner hyphens).
 */
export class StoreNamer {
  readonly prefix: string;
  #count = 0;

  constructor(prefix: string, fileLabel: string) {
    const slug = fileLabel
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 12);
    this.prefix = `${prefix}${slug}-`;
  }

  next(label = 's'): string {
    this.#count += 1;
    const slug =
      label
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '') || 's';
    const suffix = `-${this.#count}`;
    return `${this.prefix}${slug}`.slice(0, 63 - suffix.length).replace(/-+$/, '') + suffix;
  }
}
