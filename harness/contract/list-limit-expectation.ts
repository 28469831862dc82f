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
