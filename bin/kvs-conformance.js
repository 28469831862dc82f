#!/usr/bin/env node
// The CLI entry point: runs the build in dist/ (`npm run build`; `prepack` builds the package).
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
