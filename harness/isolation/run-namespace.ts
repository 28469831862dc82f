import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

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

/** Appends a created store to the run's journal (synchronously, so a killed worker loses nothing it acknowledged). */
export function recordCreatedStore(journalFile: string, store: CreatedStore): void {
  appendFileSync(journalFile, `${JSON.stringify({ id: store.id, name: store.name })}\n`);
}

/** Every store the journal lists, once each. */
export function readCreatedStores(journalFile: string): CreatedStore[] {
  if (!existsSync(journalFile)) return [];
  const byId = new Map<string, CreatedStore>();
  for (const line of readFileSync(journalFile, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const store = JSON.parse(line) as CreatedStore;
      byId.set(store.id, store);
    } catch {
      // A line cut off by a killed worker names no complete store.
    }
  }
  return [...byId.values()];
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
