// Evidence travels as values: the failure is read off the test's (serialized) error chain, never
// matched back by message text, and taken off the error so the console does not print it again.
import { describe, expect, it } from 'vitest';
import { ContractViolationError, EvidenceRecorder, type Failure } from '../../harness/index.ts';

const failure: Failure = {
  ruleId: 'KVS-KEYS-005',
  operationId: 'keyValueStore_keys_get',
  message: 'the last page has nextExclusiveStartKey missing',
  evidence: {},
  exchanges: [],
};
/** What vitest hands a test's hooks: errors serialized through toJSON, fast-check's error wrapping ours. */
const serialized = (error: Error): Record<string, unknown> =>
  JSON.parse(JSON.stringify({ message: 'Property failed', cause: error })) as Record<string, unknown>;

describe('EvidenceRecorder', () => {
  it('takes the failure from the cause chain and removes it from the error', () => {
    const recorder = new EvidenceRecorder();
    const error = serialized(new ContractViolationError(failure));
    const evidence = recorder.take([error]);
    expect(evidence.failure).toMatchObject({ ruleId: 'KVS-KEYS-005', message: failure.message });
    expect(JSON.stringify(error)).not.toContain('kvsFailure');
  });

  it('keeps coverage, observations, watches and the request count: take() returns and resets them', () => {
    const recorder = new EvidenceRecorder();
    recorder.noteCoverage('keyValueStore_get', 200);
    recorder.noteRequest();
    recorder.noteRequest();
    recorder.noteObservation({ outcome: 'fresh', reads: 1, staleReads: 0, staleForMs: 0, last: 1 });
    recorder.noteWatch({ outcome: 'reverted', reads: 4, afterMs: 61, last: 'old' });
    expect(recorder.take([])).toEqual({
      coverage: ['keyValueStore_get 200'],
      observations: [{ outcome: 'fresh', staleReads: 0, staleForMs: 0 }],
      watches: [{ outcome: 'reverted', reads: 4, afterMs: 61 }],
      requests: 2,
    });
    expect(recorder.take([])).toEqual({ coverage: [], observations: [], watches: [], requests: 0 });
  });

  it('a failure that is not a contract failure leaves no failure evidence', () => {
    expect(
      new EvidenceRecorder().take([{ message: 'boom', cause: { message: 'deeper' } }]).failure,
    ).toBeUndefined();
  });
});
