/** 1 to 256 characters of a-z, A-Z, 0-9 and !-_.'() (the platform's record-key rule). */
export const RECORD_KEY_PATTERN = /^[a-zA-Z0-9!\-_.'()]{1,256}$/;
