import { fileURLToPath } from 'node:url';

/**
 * The folder holding suites/ next to runner/: the repository when the sources run (suites in
 * TypeScript), the package's dist/ when the build runs (suites compiled to JavaScript).
 */
export const CODE_ROOT = fileURLToPath(new URL('../', import.meta.url));
/** `ts` or `js`: the suites are in the language this module runs in. */
export const CODE_EXTENSION = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
