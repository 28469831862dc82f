// `node --import tsx proof/truth/serve-replicated.ts [flags]`: the reference server with the replicated
// store of proof/truth/replicated-store.ts as its consistency model, a target with a known truth for
// `kvs-conformance bench consistency` and `kvs-conformance run --consistency eventual`. The flags are
// in USAGE (`--help` prints it).
import { parseArgs } from 'node:util';
import { startServer } from '../../server/index.ts';
import { ReplicatedStore, type ReplicaLag, type ReplicatedStoreOptions } from './replicated-store.ts';

/** Parses `exponential:MEAN` or `lognormal:MEDIAN:SIGMA`, failing with what is allowed. */
export function parseReplicaLag(spec: string): ReplicaLag {
  const [kind, ...args] = spec.split(':');
  const numbers = args.map(Number);
  const valid = numbers.every((value) => Number.isFinite(value) && value > 0);
  if (kind === 'exponential' && numbers.length === 1 && valid) return { kind, meanMs: numbers[0] as number };
  if (kind === 'lognormal' && numbers.length === 2 && valid)
    return { kind, medianMs: numbers[0] as number, sigma: numbers[1] as number };
  throw new Error(
    `--lag "${spec}" is not understood; allowed: exponential:MEAN or lognormal:MEDIAN:SIGMA, numbers > 0 (ms)`,
  );
}

const USAGE = `Usage: node --import tsx proof/truth/serve-replicated.ts [flags]

The reference server with a replicated store of known truth: every record change reaches each replica
after its own lag; reads and listings go to a replica chosen at random (or the connection's).

  --replicas N          replicas (default 3)
  --lag SPEC            exponential:MEAN or lognormal:MEDIAN:SIGMA (ms; default exponential:150)
  --repair MODE         versioned (default) or none
  --resurrect-after MS  planted fault: a deleted value comes back this long after the delete reached every replica
  --new-keys MODE       lagged (default) or immediate (a write to an absent key reaches every replica at once)
  --routing MODE        random (default: each request to a random replica) or sticky (each connection pinned to one)
  --at-commit K         replicas that take every change at once, at its commit (default 0; a leader applying
                        a write before acknowledging it: 1); the others after their lags
  --seed N              seed of the lag and routing draws (default 1)
  --port N              TCP port (default 0: a free one)
  -h, --help            print this and exit

Prints "listening on URL" and serves until stopped (SIGINT/SIGTERM).`;

/** Bad input: what was wrong and what is allowed, then exit 2 (no stack trace). */
function fail(message: string): never {
  console.error(`serve-replicated: ${message}\nRun with --help for the flags.`);
  process.exit(2);
}

const parsed = (() => {
  try {
    return parseArgs({
      options: {
        replicas: { type: 'string', default: '3' },
        lag: { type: 'string', default: 'exponential:150' },
        repair: { type: 'string', default: 'versioned' },
        'resurrect-after': { type: 'string' },
        'new-keys': { type: 'string', default: 'lagged' },
        routing: { type: 'string', default: 'random' },
        'at-commit': { type: 'string', default: '0' },
        seed: { type: 'string', default: '1' },
        port: { type: 'string', default: '0' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
})();
if (parsed.values.help) {
  console.log(USAGE);
  process.exit(0);
}
const { values } = parsed;
const replicas = Number(values.replicas);
if (!Number.isInteger(replicas) || replicas < 1)
  fail(`--replicas ${values.replicas}: allowed: a whole number ≥ 1`);
if (values.repair !== 'versioned' && values.repair !== 'none')
  fail(`--repair ${values.repair}: allowed: versioned, none`);
const resurrect = values['resurrect-after'];
const newKeys = values['new-keys'];
if (newKeys !== 'lagged' && newKeys !== 'immediate')
  fail(`--new-keys ${newKeys}: allowed: lagged, immediate`);
const routing = values.routing;
if (routing !== 'random' && routing !== 'sticky') fail(`--routing ${routing}: allowed: random, sticky`);
const whole = (flag: string, value: string | undefined): number => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) fail(`--${flag} ${value}: allowed: a whole number ≥ 0`);
  return number;
};
const lag = (() => {
  try {
    return parseReplicaLag(values.lag);
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
})();
const atCommit = whole('at-commit', values['at-commit']);
if (atCommit > replicas)
  fail(`--at-commit ${atCommit}: allowed: a whole number from 0 to --replicas (${replicas})`);
const options: ReplicatedStoreOptions = {
  replicas,
  lag,
  atCommit,
  repair: values.repair,
  seed: whole('seed', values.seed),
  newKeys,
  routing,
  ...(resurrect === undefined ? {} : { resurrectAfterMs: whole('resurrect-after', resurrect) }),
};
const server = await startServer({
  port: whole('port', values.port),
  consistencyModel: new ReplicatedStore(options),
});
console.log(`serve-replicated: listening on ${server.url} (${JSON.stringify(options)})`);
const stop = (): void => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
