import { readFileSync } from 'node:fs';

/** The harness's version, from its package.json. */
export const HARNESS_VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
