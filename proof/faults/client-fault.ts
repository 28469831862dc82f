import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RuleId } from '../../harness/index.ts';

/**
 * A realistic client-library bug: a driver module, written as a user writes one, that extends the
 * hand-written client of the package's driver template (examples/driver-template.mjs) with one behaviour changed. `prove`
 * runs a default `run --driver <file>` and counts it detected when a target rule fails through
 * this driver (its test title carries `[name]`).
 */
export interface ClientFault {
  /** Also the driver's name, as the report's test titles show it. */
  readonly name: string;
  /** The rules whose checks must catch it through this driver. */
  readonly targets: readonly RuleId[];
  /** The bug, as a client author would have made it. */
  readonly bug: string;
  /** A narrow bug: it shows only for some inputs (one status, one error type, non-ASCII bytes, …). */
  readonly narrow?: boolean;
  /** What the bug breaks: faults of one kind may be caught by each other's rules. */
  readonly breaks: 'iteration' | 'misses' | 'errors' | 'retries' | 'bodies' | 'token' | 'stores';
  /** The driver module (JavaScript, ES module, extending the driver template). */
  readonly source: string;
}

const EXAMPLE = pathToFileURL(
  fileURLToPath(new URL('../../examples/driver-template.mjs', import.meta.url)),
).href;

/** A driver module named `name` whose client is the example client with `body` added to its class. */
export function faultyDriverModule(name: string, body: string): string {
  return `import { HandWrittenClient } from '${EXAMPLE}';
class Faulty extends HandWrittenClient {
  name = '${name}';
  info = { name: '${name}', package: undefined, version: undefined, transport: 'http' };
${body}
}
export default (context) => new Faulty(context);
`;
}

/** Writes the fault's driver module into `dir` and returns its path (for `--driver`). */
export function writeClientFaultModule(fault: ClientFault, dir: string): string {
  const file = join(dir, `${fault.name}.mjs`);
  writeFileSync(file, fault.source);
  return file;
}

/** True for a client fault (a driver module), false for a server fault mode. */
export function isClientFault(fault: { readonly name: string }): fault is ClientFault {
  return 'source' in fault && 'breaks' in fault;
}
