/** The reference server's public API. It shares no code with the harness. */
export { startServer } from './start-server.ts';
export type { RunningServer } from './start-server.ts';
export { DEFAULT_MAX_RECORD_BYTES, ServerOptionError, resolveServerOptions } from './server-options.ts';
export type { ResolvedServerOptions, ServerOptions } from './server-options.ts';
export { LAG_KINDS } from './consistency-simulator.ts';
export type { ConsistencyModel, ConsistencyOptions, LagKind } from './consistency-simulator.ts';
export {
  LagSpecError,
  drawLag,
  formatLagDistribution,
  lagCdf,
  parseLagDistribution,
  seededRandom,
} from './lag-distribution.ts';
export type { LagDistribution, MixturePart } from './lag-distribution.ts';
export { MemoryBackend } from './storage/memory-backend.ts';
export { DirectoryBackend } from './storage/directory-backend.ts';
export type {
  GeneralAccess,
  RecordInfo,
  StorageBackend,
  StoreMeta,
  StoredEncoding,
  StoredRecord,
} from './storage/storage-backend.ts';
export { createHmacSignature, createKeysSignature } from './url-signing.ts';
