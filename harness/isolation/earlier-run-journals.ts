// The stores a run killed outright (SIGKILL, a CI job's timeout) left on the target: its journal
// stays in the output folder (`.created-stores-<prefix>.jsonl`), and the next run into that folder
// deletes them, when the journal proves they are its to delete.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { HttpApi } from '../drivers/http-api.ts';
import { deleteRunStores, type LeftStore } from './delete-run-stores.ts';

/** Who wrote a journal: the target its stores are on, and the process (host and pid) of the run. */
export interface JournalOwner {
  readonly target: string;
  readonly host: string;
  readonly pid: number;
}

/** What became of one earlier run's journal found in the output folder. */
export interface EarlierJournal {
  /** The journal's file name. */
  readonly file: string;
  /** Stores the journal holds, and how many of them are gone now. */
  readonly created: number;
  readonly deleted: number;
  readonly left: readonly LeftStore[];
  /** Why the journal was left as it is (another target, a run still going, …); absent when cleaned. */
  readonly leftAlone?: string;
}

const JOURNAL_FILE = /^\.created-stores-(.+)\.jsonl$/;

/** The journal's file name for a run prefix (`kvsc-1a2b3c4d-`). */
export const journalFileName = (storePrefix: string): string =>
  `.created-stores-${storePrefix.replace(/-$/, '')}.jsonl`;

/** Starts a run's journal with its owner, so that a later run can tell whose stores it holds. */
export function startJournal(journalFile: string, target: string): void {
  const owner: JournalOwner = { target, host: hostname(), pid: process.pid };
  writeFileSync(journalFile, `${JSON.stringify({ owner })}\n`);
}

function ownerOf(journalFile: string): JournalOwner | undefined {
  const first = readFileSync(journalFile, 'utf8').split('\n', 1)[0] ?? '';
  try {
    const owner = (JSON.parse(first) as { owner?: Partial<JournalOwner> } | null)?.owner;
    if (typeof owner?.target === 'string' && typeof owner.host === 'string' && Number.isInteger(owner.pid))
      return owner as JournalOwner;
  } catch {
    // A journal of an older version, or a first line cut off: no owner.
  }
  return undefined;
}

/** Whether a process with this pid runs on this host (EPERM: it does, as another user). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why a journal's stores are not this run's to delete, or undefined when they are. */
function whyLeftAlone(owner: JournalOwner | undefined, target: string): string | undefined {
  if (owner === undefined)
    return 'it names no target (written by an older version, or by bench consistency): its stores are not deleted';
  if (owner.target !== target) return `its stores are on another target (${owner.target})`;
  if (owner.host !== hostname())
    return `written on another host (${owner.host}), whose run may still be going`;
  // This process counts as going too: another run of it (the API, `--watch`, `matrix`) may be under way.
  if (running(owner.pid)) return `the run that writes it is still going (pid ${owner.pid})`;
  return undefined;
}

/**
 * Deletes what earlier runs into `out` left on this target: every journal but `ownJournal` whose
 * owner is this target and a process of this host that no longer runs (a run killed before its
 * cleanup). Its stores go exactly as the run's own cleanup would take them (journaled ids only,
 * never by name); the journal is removed once none is left. Any other journal is reported and kept.
 */
export async function cleanEarlierRuns(
  api: HttpApi,
  out: string,
  ownJournal: string,
  target: string,
): Promise<EarlierJournal[]> {
  const found = readdirSync(out).filter((file) => JOURNAL_FILE.test(file) && join(out, file) !== ownJournal);
  const results: EarlierJournal[] = [];
  for (const file of found.sort()) {
    const path = join(out, file);
    const leftAlone = whyLeftAlone(ownerOf(path), target);
    if (leftAlone !== undefined) {
      results.push({ file, created: 0, deleted: 0, left: [], leftAlone });
      continue;
    }
    const prefix = `${JOURNAL_FILE.exec(file)?.[1] ?? ''}-`;
    const cleanup = await deleteRunStores(api, path, prefix);
    if (cleanup.left.length === 0 && cleanup.problems.length === 0) rmSync(path, { force: true });
    results.push({
      file,
      created: cleanup.created,
      deleted: cleanup.deleted,
      left: [...cleanup.left, ...cleanup.problems.map((problem) => ({ id: '-', reason: problem }))],
    });
  }
  return results;
}
