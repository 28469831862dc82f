import type { KvsModel, ModelStore } from '../../../harness/index.ts';
import type { KeyRef, NameRef, StoreRef } from '../../../generators/index.ts';
import type { TranscriptStep } from './sequence-transcript.ts';
import type { StatefulSystem } from './stateful-system.ts';

/** What a command's store, name and key references resolve to in the sequence's current state. */
export interface CommandRefs {
  /** The store a reference means; the focus moves to it and the step shows it. */
  readonly storeAt: (ref: StoreRef) => ModelStore;
  /** The name a reference means (a pool name, or the focus store's current or last name). */
  readonly nameOf: (ref: NameRef) => string;
  /** The key a reference means (`null`: the previous record command's); the focus moves to it. */
  readonly keyOf: (ref: KeyRef) => string;
}

/** The references of one step (see StoreRef, NameRef, KeyRef), resolved against `model` and the focus. */
export function commandRefs(model: KvsModel, system: StatefulSystem, step: TranscriptStep): CommandRefs {
  const count = model.stores.length;
  return {
    storeAt: (ref) => {
      const index = ref === 'focus' ? system.focus.store : ref === 'other' ? system.focus.store + 1 : ref;
      const store = model.stores[index % count];
      if (!store) throw new Error('a sequence always has a store (its setup makes two)');
      // Every command moves the focus to the store it used (`s=` then means "that store again").
      system.focus.store = store.handle;
      step.target = `s${store.handle}`;
      return store;
    },
    nameOf: (ref) => {
      if (typeof ref === 'number') return system.names[ref] ?? '';
      const store = model.stores[(system.focus.store + (ref === 'other' ? 1 : 0)) % count];
      return store?.name ?? store?.formerNames.at(-1) ?? system.names[0] ?? '';
    },
    keyOf: (ref) => {
      const key = ref ?? system.focus.key;
      system.focus.key = key;
      step.target += ` ${JSON.stringify(key)}`;
      return key;
    },
  };
}
