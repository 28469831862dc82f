import type { ProfileCatalog, ProfileSettingName, ProfileSettings } from './profile-catalog.ts';

/** A value of a status-choosing profile setting that is itself an HTTP status (`'201'`). */
const isStatus = (value: string): boolean => /^[1-5]\d\d$/.test(value);

/**
 * The statuses a status-choosing profile setting (recordOverwriteStatus, deleteMissingRecordStatus,
 * wrongTokenStatus) allows under the run's settings: its value when that is a status, otherwise
 * (`either`) every status the setting offers in spec/profiles.yaml.
 */
export function settingStatuses(
  catalog: ProfileCatalog,
  settings: ProfileSettings,
  name: ProfileSettingName,
): number[] {
  const value = String(settings[name]);
  if (isStatus(value)) return [Number(value)];
  const offered = [...(catalog.settings.get(name)?.values.keys() ?? [])].filter(isStatus);
  return offered.map(Number);
}
