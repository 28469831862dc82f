import { KvsModel, type HttpApi, type ModelSettings } from '../../../harness/index.ts';
import { SequenceTranscript } from './sequence-transcript.ts';
import type { StatefulSystem } from './stateful-system.ts';
import { setUpSequence } from './store-command.ts';

/**
 * fast-check's model-run setup for one sequence: a fresh model with the run's settings, the target
 * through `api`, an empty transcript, and the two stores every sequence starts with.
 */
export function sequenceSetup(
  api: HttpApi,
  names: readonly string[],
  settings: ModelSettings,
): () => Promise<{ model: KvsModel; real: StatefulSystem }> {
  return async () => {
    const model = new KvsModel(settings);
    const real: StatefulSystem = {
      api,
      names,
      transcript: new SequenceTranscript(),
      now: () => performance.now(),
      focus: { store: 0, key: 'a' },
    };
    await setUpSequence(model, real);
    return { model, real };
  };
}
