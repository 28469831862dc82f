#!/usr/bin/env node
// The CLI entry point. The sources are TypeScript run through tsx's loader, so the package works
// from a fresh `npm ci` without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
