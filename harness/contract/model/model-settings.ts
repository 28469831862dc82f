import type { ContractLimits } from '../contract-limits.ts';
import type { ProfileSettings } from '../profile-catalog.ts';

/** What the model needs of the profile and the contract: every open point as the run settles it. */
export interface ModelSettings {
  /** Statuses an overwrite of an existing key may answer (profile setting recordOverwriteStatus). */
  readonly overwriteStatuses: readonly number[];
  /** Statuses DELETE of a missing key in an existing store may answer (deleteMissingRecordStatus). */
  readonly deleteMissingStatuses: readonly number[];
  /** How long a read may still show a replaced state: consistencyWindowMs under `eventual`, 0 under `strong`. */
  readonly windowMs: number;
  /** The largest key page (the contract's `limit` maximum of keyValueStore_keys_get). */
  readonly keysMaxLimit: number;
  /** Whether a 201 write answer must be exactly `{}` (recordWriteBody = empty-object) or any JSON object or none. */
  readonly writeBodyEmptyObject: boolean;
  /** The error types a GET of a missing record may carry (notFoundErrorType); undefined: any. */
  readonly recordMissErrorTypes: readonly string[] | undefined;
  /** Whether the zip download is offered (zipDownload). */
  readonly zipDownload: boolean;
}

const STATUS_CHOICES: Readonly<Record<string, readonly number[]>> = {
  '200': [200],
  '201': [201],
  '204': [204],
  '404': [404],
};

/** The model's settings for a run's profile settings and contract limits. */
export function modelSettingsOf(settings: ProfileSettings, limits: ContractLimits): ModelSettings {
  return {
    overwriteStatuses: STATUS_CHOICES[String(settings.recordOverwriteStatus)] ?? [200, 201],
    deleteMissingStatuses: STATUS_CHOICES[String(settings.deleteMissingRecordStatus)] ?? [204, 404],
    windowMs: settings.consistency === 'eventual' ? Number(settings.consistencyWindowMs) : 0,
    keysMaxLimit: limits.keysMaxLimit,
    writeBodyEmptyObject: settings.recordWriteBody === 'empty-object',
    recordMissErrorTypes:
      settings.notFoundErrorType === 'apify-client'
        ? ['record-not-found', 'record-or-token-not-found']
        : undefined,
    zipDownload: String(settings.zipDownload) !== 'false',
  };
}
