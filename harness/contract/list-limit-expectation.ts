import type { ProfileSettings } from './profile-catalog.ts';

/**
 * Whether an answer to a list request with a limit above the maximum is what the
 * listLimitAboveMax setting allows: clamped (200 with the maximum as limit), refused (400), or either.
 */
export function acceptsLimitAboveMax(
  settings: ProfileSettings,
  status: number,
  responseLimit: number | undefined,
  maximum: number,
): boolean {
  const clamped = status === 200 && responseLimit === maximum;
  const setting = settings.listLimitAboveMax;
  return setting === 'clamp' ? clamped : setting === 'reject' ? status === 400 : clamped || status === 400;
}

/**
 * Whether an answer to a key list request with a limit below 1 is what the listLimitBelowMin
 * setting allows: refused (400), read as not given (200 with `defaultLimit`, the limit a request
 * without one gets), read as the minimum (200 with limit 1), or any of these.
 */
export function acceptsLimitBelowMin(
  settings: ProfileSettings,
  status: number,
  responseLimit: number | undefined,
  defaultLimit: number,
): boolean {
  const readings: Readonly<Record<string, boolean>> = {
    reject: status === 400,
    default: status === 200 && responseLimit === defaultLimit,
    clamp: status === 200 && responseLimit === 1,
  };
  const setting = String(settings.listLimitBelowMin);
  return setting === 'any' ? Object.values(readings).some(Boolean) : readings[setting] === true;
}
