import fc from 'fast-check';
import {
  KvsModel,
  type HttpApi,
  type KvsDriver,
  type ModelSettings,
  type StoreInfo,
} from '../../../harness/index.ts';
import { SequenceTranscript } from './sequence-transcript.ts';
import type { StatefulSystem } from './stateful-system.ts';
import { setUpSequence } from './store-command.ts';

/** fast-check's model-run setup for one sequence: the model and the real side. */
export type SequenceSetup = () => Promise<{ model: KvsModel; real: StatefulSystem }>;

/**
 * fast-check's model-run setup for one sequence: a fresh model with the run's settings, the target
 * through `api` (or through `through.driver`, journaling what it creates with `through.track`), an
 * empty transcript, and the two stores every sequence starts with.
 */
export function sequenceSetup(
  api: HttpApi,
  names: readonly string[],
  settings: ModelSettings,
  through?: { readonly driver: KvsDriver; readonly track: (store: StoreInfo) => void },
): SequenceSetup {
  return async () => {
    const model = new KvsModel(settings);
    const real: StatefulSystem = {
      api,
      driver: through?.driver,
      track: through?.track ?? (() => undefined),
      names,
      transcript: new SequenceTranscript(),
      now: () => performance.now(),
      focus: { store: 0, key: 'a' },
    };
    await setUpSequence(model, real);
    return { model, real };
  };
}

/**
 * Runs one command sequence (fast-check's model runner) and then, whatever its outcome, hands the
 * ids of the stores it made to `release`: a sequence's stores have names of its own, so no later
 * sequence uses them, and a property of 1,000 runs leaves as few stores on the target (and as short
 * a store list to read and judge) as one of 25.
 */
export async function runSequence(
  setup: SequenceSetup,
  sequence: Iterable<fc.AsyncCommand<KvsModel, StatefulSystem>>,
  release: (storeIds: readonly string[]) => Promise<void>,
): Promise<void> {
  let model: KvsModel | undefined;
  try {
    await fc.asyncModelRun(async () => {
      const made = await setup();
      model = made.model;
      return made;
    }, sequence);
  } finally {
    await release(model?.stores.map((store) => store.id) ?? []);
  }
}
