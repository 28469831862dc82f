import { invalidInput } from './api-error.ts';

/** DNS-safe: letters, digits and inner hyphens (the platform's storage-name rule). */
const STORE_NAME_PATTERN = /^([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const STORE_NAME_MAX_LENGTH = 63;

/** Whether the name is 1–63 characters of letters, digits and inner hyphens. */
export function isValidStoreName(name: string): boolean {
  return name.length <= STORE_NAME_MAX_LENGTH && STORE_NAME_PATTERN.test(name);
}

/** 400 invalid-input unless the name is valid (see isValidStoreName). */
export function checkStoreName(name: string): void {
  if (!isValidStoreName(name)) {
    throw invalidInput(
      `Store name "${name.slice(0, 80)}" is not allowed; allowed: 1 to ${STORE_NAME_MAX_LENGTH} characters of a-z, A-Z, 0-9 and hyphens, not starting or ending with a hyphen.`,
    );
  }
}
