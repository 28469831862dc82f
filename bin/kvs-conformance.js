#!/usr/bin/env node
// The CLI entry point: runs the build in dist/ (`npm run build`; `prepack` builds the package).
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
