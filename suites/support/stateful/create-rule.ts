import type { CreateOutcome, KvsModel, RuleId } from '../../../harness/index.ts';

/**
 * The rule a store create answers to, after `model.create(name)` gave `outcome`: get-or-create of a
 * taken name (KVS-NAME-002), an unnamed store (KVS-NAME-004), re-creating a deleted store's name
 * (KVS-NAME-005), or a new named store (KVS-NAME-001).
 */
export function createRuleOf(model: KvsModel, name: string | undefined, outcome: CreateOutcome): RuleId {
  if (outcome.kind === 'existing') return 'KVS-NAME-002';
  if (name === undefined) return 'KVS-NAME-004';
  return model.stores.some((store) => store.deleted && store.name === name) ? 'KVS-NAME-005' : 'KVS-NAME-001';
}
