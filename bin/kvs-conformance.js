#!/usr/bin/env node
// The CLI entry point: runs the build in dist/ (`npm run build`; `prepack` builds the package).
import { setFlagsFromString } from 'node:v8';

// Memory flat with the number of runs (#28): V8 lets the old generation grow to up to four times
// its live size between full collections, so a long property's short-lived garbage, promoted,
// piles up (`--runs 1000`: 47 MB live, the next full collection at 187 MB, 311 MB RSS against
// 180 MB at `--runs 25`). Growth capped at 50 % of the live size: 200 MB, the same CPU
// (bench/RESULTS.md, "#28, session 8: memory"). The CLI owns its process; the library sets no flag.
setFlagsFromString('--heap-growing-percent=50');

const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
