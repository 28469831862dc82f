import type { ContractLimits } from '../contract-limits.ts';
import type { ProfileCatalog, ProfileSettings } from '../profile-catalog.ts';
import { settingStatuses } from '../setting-statuses.ts';

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

/** The model's settings for a run's profile settings and the contract's limits and profile catalog. */
export function modelSettingsOf(
  settings: ProfileSettings,
  contract: { readonly limits: ContractLimits; readonly profiles: ProfileCatalog },
): ModelSettings {
  const { limits, profiles } = contract;
  return {
    overwriteStatuses: settingStatuses(profiles, settings, 'recordOverwriteStatus'),
    deleteMissingStatuses: settingStatuses(profiles, settings, 'deleteMissingRecordStatus'),
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
