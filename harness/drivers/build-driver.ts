import { fileURLToPath } from 'node:url';
import { HarnessError } from '../errors.ts';
import type { DriverSpec } from './driver-registry.ts';
import type { DriverFactoryContext, KvsDriver, KvsDriverFactory } from './kvs-driver.ts';

/** The operations KvsDriver declares without `?`: every suite may call any of them. */
const REQUIRED_DRIVER_METHODS = [
  'listStores',
  'getOrCreateStore',
  'getStore',
  'updateStore',
  'deleteStore',
  'listKeys',
  'getRecord',
  'recordExists',
  'setRecord',
  'deleteRecord',
] as const;

/** The operations KvsDriver declares optional: a test needing one is not applicable without it. */
const OPTIONAL_DRIVER_METHODS = ['iterateKeys', 'getRecordValue', 'setRecordValue', 'close'] as const;

const TRANSPORTS: readonly unknown[] = ['http', 'in-process'];

/** What the interface asks of a driver, in one sentence of an error. */
const INTERFACE = `A KvsDriver has name (= info.name), info { name, package, version, transport: 'http' | 'in-process' }, the methods ${REQUIRED_DRIVER_METHODS.join(', ')}, optionally ${OPTIONAL_DRIVER_METHODS.join(', ')} and unsupported (the capabilities it cannot express, each with the reason); see examples/driver-template.mjs`;

/** The folder this package's own files live in (its frames are not the user's). */
const HARNESS_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where a driver module is, for an error: the path the user gave and the file it resolved to. */
const moduleOf = (spec: DriverSpec): string =>
  spec.kind === 'module' && spec.location !== undefined && fileURLToPath(spec.location) !== spec.given
    ? `--driver ${spec.given} (${fileURLToPath(spec.location)})`
    : `--driver ${spec.given}`;

/** A frame of Node's own or of this package's (the harness's call of the factory and below). */
const notUsers = (line: string): boolean =>
  /\(node:|at node:/.test(line) || line.includes(HARNESS_ROOT) || line.includes(`file://${HARNESS_ROOT}`);

/** The stack's frames above the harness's call: the user's factory and what it called. */
const userFrames = (error: unknown): string[] => {
  const frames = (error instanceof Error ? (error.stack ?? '') : '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line));
  const end = frames.findIndex(notUsers);
  return frames.slice(0, end === -1 ? frames.length : end).map((line) => `    ${line.trim()}`);
};

/** What a driver lacks of the interface, each item named (empty when it is a KvsDriver). */
function driverProblems(driver: unknown): string[] {
  if (typeof driver !== 'object' || driver === null)
    return [`it returned ${driver === null ? 'null' : typeof driver}, not an object`];
  const candidate = driver as Record<string, unknown>;
  const info = candidate['info'] as Record<string, unknown> | undefined;
  const problems: string[] = [];
  if (typeof info !== 'object' || info === null) problems.push('no info');
  else {
    if (typeof info['name'] !== 'string' || info['name'] === '') problems.push('no info.name');
    if (!TRANSPORTS.includes(info['transport']))
      problems.push(`info.transport is ${JSON.stringify(info['transport'])}, not 'http' or 'in-process'`);
  }
  if (typeof info?.['name'] === 'string' && candidate['name'] !== info['name'])
    problems.push(
      `name is ${JSON.stringify(candidate['name'])}, not info.name ${JSON.stringify(info['name'])}`,
    );
  const missing = REQUIRED_DRIVER_METHODS.filter((method) => typeof candidate[method] !== 'function');
  if (missing.length > 0) problems.push(`no method ${missing.join(', ')}`);
  const notFunctions = OPTIONAL_DRIVER_METHODS.filter(
    (method) => candidate[method] !== undefined && typeof candidate[method] !== 'function',
  );
  if (notFunctions.length > 0) problems.push(`${notFunctions.join(', ')} not a function`);
  return problems;
}

/**
 * Builds a driver from its factory and checks it against the KvsDriver interface, so a user's
 * module that throws in its factory or lacks a method is a tool error naming the module (exit 2),
 * not a harness error inside thirty tests.
 */
export async function buildDriver(
  spec: DriverSpec,
  factory: KvsDriverFactory,
  context: DriverFactoryContext,
): Promise<KvsDriver> {
  let driver: unknown;
  try {
    driver = await factory(context);
  } catch (error) {
    const thrown = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new HarnessError(
      'KVSC_USAGE',
      [
        `${moduleOf(spec)}: the driver factory ${factory.name || '(default export)'} threw ${thrown}`,
        ...userFrames(error),
      ].join('\n'),
    );
  }
  const problems = driverProblems(driver);
  if (problems.length > 0)
    throw new HarnessError(
      'KVSC_USAGE',
      `${moduleOf(spec)}: the factory did not return a KvsDriver: ${problems.join('; ')}. ${INTERFACE}`,
    );
  return driver as KvsDriver;
}
