// Benchmark: request rate of the reference server on small records, next to a bare node:http
// server measured in the same run with the same load generator (autocannon, keep-alive).
// Servers run in child processes; the load generator runs here. Run: npm run bench:server
// Each round measures GET, then PUT, on both servers in alternating 2 s slices (so a load change on
// a shared machine falls on both alike) and gives its own ratios (reference / bare); the median
// over the rounds is printed. It prints Markdown; the written result lives in
// bench/RESULTS.md. No thresholds. BENCH_SECONDS (per row, default 10), BENCH_ROUNDS (default 3).
import { spawn, type ChildProcess } from 'node:child_process';
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

interface Load {
  readonly url: string;
  readonly method: 'GET' | 'PUT';
  readonly body?: Buffer | undefined;
}

/** Requests answered and seconds spent in one slice of load; throws when any answer was not 2xx. */
async function slice(load: Load): Promise<{ requests: number; seconds: number }> {
  const result = await autocannon({
    url: load.url,
    method: load.method,
    connections: CONNECTIONS,
    duration: SLICE_SECONDS,
    ...(load.body ? { body: load.body, headers: { 'content-type': 'application/octet-stream' } } : {}),
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${load.method} ${load.url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return { requests: result.requests.total, seconds: result.duration };
}

/**
 * The request rates of two targets, measured in alternating slices (A B B A …) that add up to
 * SECONDS each: a load change on the shared machine then falls on both targets alike.
 */
async function pairedRates(a: Load, b: Load): Promise<[number, number]> {
  const requests = [0, 0];
  const seconds = [0, 0];
  const slices = Math.max(1, Math.round(SECONDS / SLICE_SECONDS));
  for (let n = 0; n < slices; n += 1) {
    for (const index of n % 2 === 0 ? [0, 1] : [1, 0]) {
      const measured = await slice(index === 0 ? a : b);
      requests[index]! += measured.requests;
      seconds[index]! += measured.seconds;
    }
  }
  return [requests[0]! / seconds[0]!, requests[1]! / seconds[1]!];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const percent = (ratio: number): string => `${Math.round(ratio * 100)} %`;

const value = Buffer.alloc(RECORD_BYTES, 120);
const bare = await start(['bench/bare-http-server.ts', String(RECORD_BYTES)]);
const reference = await start(['bin/kvs-conformance.js', 'serve', '--port', '0']);
try {
  const created = await fetch(`${reference.url}/v2/key-value-stores?name=bench`, { method: 'POST' });
  const storeId = ((await created.json()) as { data: { id: string } }).data.id;
  const recordUrl = `${reference.url}/v2/key-value-stores/${storeId}/records/small`;
  await fetch(recordUrl, { method: 'PUT', body: value });

  // A warm-up slice per load first: the reference server's first seconds include compiling it.
  for (const method of ['GET', 'PUT'] as const) {
    const body = method === 'PUT' ? value : undefined;
    await slice({ url: bare.url, method, body });
    await slice({ url: recordUrl, method, body });
  }
  const rounds: { bareGet: number; get: number; barePut: number; put: number }[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const [bareGet, get] = await pairedRates(
      { url: bare.url, method: 'GET' },
      { url: recordUrl, method: 'GET' },
    );
    const [barePut, put] = await pairedRates(
      { url: bare.url, method: 'PUT', body: value },
      { url: recordUrl, method: 'PUT', body: value },
    );
    rounds.push({ bareGet, get, barePut, put });
  }
  console.log(
    `node ${process.version}, ${ROUNDS} rounds, ${SECONDS} s per target and method per round (alternating ${SLICE_SECONDS} s slices), ${CONNECTIONS} keep-alive connections, ${RECORD_BYTES} B records, autocannon in the bench process\n`,
  );
  console.log(
    '| round | bare GET/s | reference GET/s | GET ratio | bare PUT/s | reference PUT/s | PUT ratio |',
  );
  console.log('|---|---|---|---|---|---|---|');
  rounds.forEach((r, index) => {
    const cells = [r.bareGet, r.get, r.get / r.bareGet, r.barePut, r.put, r.put / r.barePut];
    console.log(
      `| ${index + 1} | ${cells.map((cell, i) => (i % 3 === 2 ? percent(cell) : Math.round(cell))).join(' | ')} |`,
    );
  });
  const getRatio = median(rounds.map((r) => r.get / r.bareGet));
  const putRatio = median(rounds.map((r) => r.put / r.barePut));
  console.log(`\nGET ratio (reference / bare node:http, median of ${ROUNDS}): ${percent(getRatio)}`);
  console.log(`PUT ratio (reference / bare node:http, median of ${ROUNDS}): ${percent(putRatio)}`);
} finally {
  bare.child.kill('SIGTERM');
  reference.child.kill('SIGTERM');
}
