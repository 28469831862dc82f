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

  it('a failure found through a client driver shows the requests its driver call made, token redacted', () => {
    const token = 'tok-3f9a1c77e2b4';
    const recorder = new EvidenceRecorder(token);
    const send = (key: string, status: number): void =>
      recorder.noteDriverRequest({
        method: 'get',
        url: `http://127.0.0.1:1/v2/key-value-stores/s1/records/${key}?token=${token}`,
        headers: { Authorization: `Bearer ${token}`, 'x-many': ['a', 'b'] },
      })({ status, headers: { 'Content-Type': 'application/json' }, body: Buffer.from(`{"key":"${key}"}`) });
    // Call 1 (two requests) finds the failure; call 2 comes after it (a property's shrinking goes on).
    recorder.noteDriverCall();
    send('a', 200);
    send('b', 404);
    const raised = serialized(new ContractViolationError(failure));
    recorder.noteDriverCall();
    send('c', 200);
    const taken = recorder.take([raised]).failure;
    expect(taken?.exchanges.map((exchange) => [exchange.method, exchange.status])).toEqual([
      ['GET', 200],
      ['GET', 404],
    ]);
    expect(taken?.exchanges[1]?.url).toBe(
      'http://127.0.0.1:1/v2/key-value-stores/s1/records/b?token=$APIFY_TOKEN',
    );
    expect(taken?.exchanges[1]?.curl).toContain('"authorization: Bearer $APIFY_TOKEN"');
    expect(taken?.exchanges[1]?.curl).toContain(`'x-many: a, b'`);
    expect(taken?.exchanges[1]?.responseExcerpt).toBe('{"key":"b"}');
    expect(JSON.stringify(taken)).not.toContain(token);
    expect(JSON.stringify(raised)).not.toContain('kvsRaisedAt');
    // The next test starts with no driver call of its own.
    expect(recorder.take([serialized(new ContractViolationError(failure))]).failure?.exchanges).toEqual([]);
  });

  it('a violation noted during a driver call shows that call’s requests; an error with no answer shows it', () => {
    const recorder = new EvidenceRecorder();
    recorder.noteDriverCall();
    recorder.noteDriverRequest({ method: 'PUT', url: 'http://h/v2/x', body: 'v' })({ error: 'ECONNRESET' });
    recorder.noteViolation({ ...failure, ruleId: 'KVS-NOTFOUND-005', exchanges: [] });
    const [violation] = recorder.take([]).violations ?? [];
    expect(violation?.exchanges).toMatchObject([{ method: 'PUT', status: undefined, error: 'ECONNRESET' }]);
    expect(violation?.exchanges[0]?.curl).toBe("curl -i -X PUT --data-binary 'v' 'http://h/v2/x'");
  });
});
