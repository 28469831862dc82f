/** fast-check arbitraries derived from the contract; pure, no I/O. */
export {
  invalidRecordKeyArbitrary,
  longestRecordKeyArbitrary,
  recordKeyArbitrary,
  recordKeyCharacters,
} from './record-key-arbitrary.ts';
export { recordValueArbitrary } from './record-value-arbitrary.ts';
export type { RecordValueSample } from './record-value-arbitrary.ts';
export { keySetArbitrary, pageSizeArbitrary } from './key-set-arbitrary.ts';
export { gzippedPayload, gzippedRepeat, payloadDigest, payloadStream } from './payload-stream.ts';
export {
  documentedErrorAnswers,
  errorAnswerArbitrary,
  keyPagesArbitrary,
  notFoundErrorTypes,
} from './server-answer-arbitrary.ts';
export type { ErrorAnswer } from './server-answer-arbitrary.ts';
export { caseBatchArbitrary, caseBatchRuns, checkBatch } from './case-batch.ts';
export {
  MAX_SEQUENCE_STORES,
  STORE_COMMAND_WEIGHTS,
  STORE_NAME_POOL_SIZE,
  statefulKeyArbitrary,
  statefulValueArbitrary,
  storeCommandArbitraries,
} from './store-command-arbitrary.ts';
export type {
  KeyRef,
  NameRef,
  StoreCommandOp,
  StoreCommandSpec,
  StoreRef,
} from './store-command-arbitrary.ts';
export {
  concurrentStreamsArbitrary,
  MAX_STREAM_COMMANDS,
  STREAM_KEYS,
} from './concurrent-streams-arbitrary.ts';
export type { ConcurrentStreams, StreamCommand } from './concurrent-streams-arbitrary.ts';
export {
  examplesThenRuns,
  keyPageEdges,
  nonMissingNotFoundTypes,
  recordValueEdges,
  RETRIED_STATUSES,
} from './client-edge-cases.ts';
export { reservedTextArbitrary, reservedTextEdges } from './reserved-text-arbitrary.ts';
export { prefixedListingArbitrary, prefixedListingEdges } from './prefixed-listing-arbitrary.ts';
export type { PrefixedListing } from './prefixed-listing-arbitrary.ts';
