import type { ContractRule } from './rule-catalog.ts';

/**
 * Why a rule cannot be checked in a run's default store (`run --run-id`), or undefined when it
 * runs there unchanged. The run's default store is one existing store the harness did not create:
 * it is never created, renamed or deleted, the account's store list is not the run's, and every
 * test works under a key prefix of its own.
 */
const BY_AREA: Readonly<Record<string, string>> = {
  PAGE: "it lists the account's stores, which a run's default store does not stand for",
  NAME: "it creates and renames stores by name; a run's default store is one existing store",
  STATE:
    "its command sequences create, rename and delete stores; a run's default store is one existing store",
  CLIENT: 'it judges a client library; under --run-id the store is reached through the HTTP driver only',
  SIGN: "its store is made RESTRICTED to be signed for; a run's default store is never changed",
};

/** Rules of other areas that need what a run's default store cannot give, and why. */
const BY_RULE: Readonly<Record<string, string>> = {
  'KVS-RECORD-007':
    "each test's keys carry its own prefix in the run's default store, so a key of the full 256 characters cannot be written",
  'KVS-AUTH-001':
    "it tries every operation, creating, renaming and deleting a store among them; a run's default store is one existing store",
  'KVS-AUTH-002':
    "it tries every operation, creating, renaming and deleting a store among them; a run's default store is one existing store",
  'KVS-RECORD-011':
    "the archive names each entry after the whole key, which carries the test's own prefix in the run's default store",
};

/** The reason a rule is not applicable under `--run-id`, or undefined. */
export function notApplicableInRunStore(rule: ContractRule): string | undefined {
  const why = BY_RULE[rule.id] ?? BY_AREA[rule.area];
  return why === undefined ? undefined : `not applicable under --run-id: ${why}`;
}
