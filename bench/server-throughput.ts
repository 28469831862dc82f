// Benchmark: request rate of the reference server on small records, next to a bare node:http
// server measured in the same run with the same load generator (autocannon, keep-alive).
// Servers run in child processes; the load generator runs here. Run: npm run bench:server
// Each round measures GET, then PUT, on both servers in alternating 2 s slices (so a load change on
// a shared machine falls on both alike) and gives its own ratios (reference / bare); the median
// over the rounds is printed. It also prints each server's CPU time (user + system, read from
// /proc on Linux) per request: unlike the rates, it hardly moves with the load other jobs put on
// the machine. It prints Markdown; the written result lives in bench/RESULTS.md. No thresholds.
// BENCH_SECONDS (per row, default 10), BENCH_ROUNDS (default 3).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Length of one slice of load; the two targets of a pair take turns slice by slice. */
const SLICE_SECONDS = 2;
const CONNECTIONS = 10;
const RECORD_BYTES = 100;
const root = fileURLToPath(new URL('..', import.meta.url));

async function start(command: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...command], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url) resolve({ url, child });
    });
    child.once('exit', (code) => reject(new Error(`${command.join(' ')} exited with ${code}: ${output}`)));
  });
}

/** CPU time (user + system, all threads) a process has used, in ms; undefined without /proc. */
function cpuMs(pid: number | undefined): number | undefined {
  try {
    // After the command name, fields[0] is the 3rd field (state): utime (14th) and stime (15th) follow.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
/** USER_HZ, the unit of /proc times: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

interface Load {
  readonly url: string;
  /** The server process, whose CPU time is read around each slice. */
  readonly pid: number | undefined;
  readonly method: 'GET' | 'PUT';
  readonly body?: Buffer | undefined;
}

/** Requests answered, seconds and server CPU ms spent in one slice of load; throws when any answer was not 2xx. */
async function slice(load: Load): Promise<{ requests: number; seconds: number; cpu: number }> {
  const cpuBefore = cpuMs(load.pid);
  const result = await autocannon({
    url: load.url,
    method: load.method,
    connections: CONNECTIONS,
    duration: SLICE_SECONDS,
    ...(load.body ? { body: load.body, headers: { 'content-type': 'application/octet-stream' } } : {}),
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${load.method} ${load.url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  const cpuAfter = cpuMs(load.pid);
  const cpu = cpuBefore === undefined || cpuAfter === undefined ? Number.NaN : cpuAfter - cpuBefore;
  return { requests: result.requests.total, seconds: result.duration, cpu };
}

/** A target's request rate and server CPU µs per request over its slices. */
interface Measured {
  readonly rate: number;
  readonly cpuPerRequest: number;
}

/**
 * The request rates of two targets, measured in alternating slices (A B B A …) that add up to
 * SECONDS each: a load change on the shared machine then falls on both targets alike.
 */
async function pairedRates(a: Load, b: Load): Promise<[Measured, Measured]> {
  const requests = [0, 0];
  const seconds = [0, 0];
  const cpu = [0, 0];
  const slices = Math.max(1, Math.round(SECONDS / SLICE_SECONDS));
  for (let n = 0; n < slices; n += 1) {
    for (const index of n % 2 === 0 ? [0, 1] : [1, 0]) {
      const measured = await slice(index === 0 ? a : b);
      requests[index]! += measured.requests;
      seconds[index]! += measured.seconds;
      cpu[index]! += measured.cpu;
    }
  }
  const measured = (index: number): Measured => ({
    rate: requests[index]! / seconds[index]!,
    cpuPerRequest: (cpu[index]! * 1000) / requests[index]!,
  });
  return [measured(0), measured(1)];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const percent = (ratio: number): string => `${Math.round(ratio * 100)} %`;
const micros = (value: number): string => (Number.isNaN(value) ? '—' : `${value.toFixed(1)} µs`);

const value = Buffer.alloc(RECORD_BYTES, 120);
const bare = await start(['bench/bare-http-server.ts', String(RECORD_BYTES)]);
const reference = await start(['bin/kvs-conformance.js', 'serve', '--port', '0']);
try {
  const created = await fetch(`${reference.url}/v2/key-value-stores?name=bench`, { method: 'POST' });
  const storeId = ((await created.json()) as { data: { id: string } }).data.id;
  const recordUrl = `${reference.url}/v2/key-value-stores/${storeId}/records/small`;
  const barePid = bare.child.pid;
  const referencePid = reference.child.pid;
  await fetch(recordUrl, { method: 'PUT', body: value });

  // A warm-up slice per load first: the reference server's first seconds include compiling it.
  for (const method of ['GET', 'PUT'] as const) {
    const body = method === 'PUT' ? value : undefined;
    await slice({ url: bare.url, pid: barePid, method, body });
    await slice({ url: recordUrl, pid: referencePid, method, body });
  }
  const rounds: { bareGet: Measured; get: Measured; barePut: Measured; put: Measured }[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const [bareGet, get] = await pairedRates(
      { url: bare.url, pid: barePid, method: 'GET' },
      { url: recordUrl, pid: referencePid, method: 'GET' },
    );
    const [barePut, put] = await pairedRates(
      { url: bare.url, pid: barePid, method: 'PUT', body: value },
      { url: recordUrl, pid: referencePid, method: 'PUT', body: value },
    );
    rounds.push({ bareGet, get, barePut, put });
  }
  console.log(
    `node ${process.version}, ${ROUNDS} rounds, ${SECONDS} s per target and method per round (alternating ${SLICE_SECONDS} s slices), ${CONNECTIONS} keep-alive connections, ${RECORD_BYTES} B records, autocannon in the bench process\n`,
  );
  console.log(
    '| round | bare GET/s | reference GET/s | GET ratio | bare PUT/s | reference PUT/s | PUT ratio | server CPU per GET (bare / reference) | server CPU per PUT (bare / reference) |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  rounds.forEach((r, index) => {
    const cells = [
      Math.round(r.bareGet.rate),
      Math.round(r.get.rate),
      percent(r.get.rate / r.bareGet.rate),
      Math.round(r.barePut.rate),
      Math.round(r.put.rate),
      percent(r.put.rate / r.barePut.rate),
      `${micros(r.bareGet.cpuPerRequest)} / ${micros(r.get.cpuPerRequest)}`,
      `${micros(r.barePut.cpuPerRequest)} / ${micros(r.put.cpuPerRequest)}`,
    ];
    console.log(`| ${index + 1} | ${cells.join(' | ')} |`);
  });
  const getRatio = median(rounds.map((r) => r.get.rate / r.bareGet.rate));
  const putRatio = median(rounds.map((r) => r.put.rate / r.barePut.rate));
  const cpu = (pick: (r: (typeof rounds)[number]) => Measured): string =>
    micros(median(rounds.map((r) => pick(r).cpuPerRequest)));
  console.log(`\nGET ratio (reference / bare node:http, median of ${ROUNDS}): ${percent(getRatio)}`);
  console.log(`PUT ratio (reference / bare node:http, median of ${ROUNDS}): ${percent(putRatio)}`);
  console.log(
    `Server CPU per request (user + system, median of ${ROUNDS}): GET ${cpu((r) => r.bareGet)} bare, ${cpu((r) => r.get)} reference; PUT ${cpu((r) => r.barePut)} bare, ${cpu((r) => r.put)} reference`,
  );
} finally {
  bare.child.kill('SIGTERM');
  reference.child.kill('SIGTERM');
}
