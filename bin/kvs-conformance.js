#!/usr/bin/env node
// The CLI entry point: runs the build in dist/ (`npm run build`; `prepack` builds the package).
import { setFlagsFromString } from 'node:v8';

// Memory flat with the number of runs (#28): V8 lets the old generation grow to up to four times
// its live size between full collections, so a long property's short-lived garbage, promoted,
// piles up (`--runs 1000`: 47 MB live, the next full collection at 187 MB, 265–320 MB RSS against
// 180 MB at `--runs 25`). Growth capped at the live size (a factor of 2): 218–227 MB, the same CPU;
// 50 % gave 200 MB but about 0.3 s more CPU in a short run, from more full collections while the
// modules load (bench/RESULTS.md, "#28, session 8: memory"). The CLI owns its process; the library
// sets no flag.
setFlagsFromString('--heap-growing-percent=100');

const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
// The command is done (`serve` returns only on a signal). Whatever still holds the process open —
// a driver module's timer, keep-alive socket or child process it did not release in close() — must
// not keep it hanging: a timer that does not itself hold the process ends it, and says why.
setTimeout(() => {
  process.stderr.write(
    'kvs-conformance: the command is done but something it loaded still holds the process open (a driver module that leaves a timer, socket or child process behind after close()?): exiting\n',
  );
  process.exit();
}, 2000).unref();
