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
): () => Promise<{ model: KvsModel; real: StatefulSystem }> {
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
