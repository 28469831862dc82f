import {
  mediaTypeOf,
  type ModelRecord,
  type ModelViolation,
  type RecordHistory,
} from '../../../harness/index.ts';

/** A model state as a message shows it. */
export const showRecord = (record: ModelRecord | undefined): string =>
  record ? `${record.value.length} bytes as ${mediaTypeOf(record.contentType)}` : 'no record';

/**
 * Judges a record read back (its bytes and Content-Type) against the states the model allows:
 * the same bytes and media type as one of them, or the rule it breaks — KVS-RECORD-003 when the
 * key was overwritten and the bytes are none of the allowed ones, else KVS-RECORD-001.
 */
export function judgeRecordRead(
  key: string,
  candidates: readonly (ModelRecord | undefined)[],
  history: RecordHistory | undefined,
  got: ModelRecord,
): ModelViolation | undefined {
  const matches = (state: ModelRecord | undefined): boolean =>
    state !== undefined &&
    state.value.equals(got.value) &&
    mediaTypeOf(state.contentType) === mediaTypeOf(got.contentType);
  if (candidates.some(matches)) return undefined;
  const sameBytes = candidates.some((state) => state?.value.equals(got.value));
  return {
    ruleId: history?.lastChange === 'overwritten' && !sameBytes ? 'KVS-RECORD-003' : 'KVS-RECORD-001',
    message: `${JSON.stringify(key)} read back ${got.value.length} bytes as ${mediaTypeOf(got.contentType) || 'no type'}; the model allows ${candidates.map(showRecord).join(' or ')}`,
  };
}
