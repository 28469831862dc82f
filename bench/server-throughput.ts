// Benchmark: request rate of the reference server on small records, next to a bare node:http
// server measured in the same run with the same load generator (autocannon, keep-alive).
// Servers run in child processes; the load generator runs here. Run: npm run bench:server
// It prints a Markdown table; the written result lives in bench/RESULTS.md. No thresholds.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
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

async function load(url: string, method: 'GET' | 'PUT', body?: Buffer): Promise<autocannon.Result> {
  return autocannon({
    url,
    method,
    connections: CONNECTIONS,
    duration: SECONDS,
    ...(body ? { body, headers: { 'content-type': 'application/octet-stream' } } : {}),
  });
}

const row = (name: string, result: autocannon.Result): string =>
  `| ${name} | ${Math.round(result.requests.average)} | ${result.latency.p99} | ${result.non2xx} |`;

const value = Buffer.alloc(RECORD_BYTES, 120);
const bare = await start(['bench/bare-http-server.ts', String(RECORD_BYTES)]);
const reference = await start(['bin/kvs-conformance.js', 'serve', '--port', '0']);
try {
  const created = await fetch(`${reference.url}/v2/key-value-stores?name=bench`, { method: 'POST' });
  const storeId = ((await created.json()) as { data: { id: string } }).data.id;
  const recordUrl = `${reference.url}/v2/key-value-stores/${storeId}/records/small`;
  await fetch(recordUrl, { method: 'PUT', body: value });

  const rows = [
    row('bare node:http, GET 100 B', await load(bare.url, 'GET')),
    row('reference server, GET record 100 B', await load(recordUrl, 'GET')),
    row('bare node:http, PUT 100 B', await load(bare.url, 'PUT', value)),
    row('reference server, PUT record 100 B', await load(recordUrl, 'PUT', value)),
  ];
  console.log(
    `node ${process.version}, ${SECONDS} s per row, ${CONNECTIONS} keep-alive connections, autocannon in the bench process\n`,
  );
  console.log('| target | requests/s (mean) | p99 latency ms | non-2xx |');
  console.log('|---|---|---|---|');
  console.log(rows.join('\n'));
} finally {
  bare.child.kill('SIGTERM');
  reference.child.kill('SIGTERM');
}
