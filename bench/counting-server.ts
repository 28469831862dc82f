// The target of bench/harness-throughput.ts: the reference server in its own process, counting
// the requests it receives (node's `http.server.request.start` diagnostics channel) so the bench
// measures the harness's request rate at the server. Commands on stdin, one per line:
// `mark` (forget the counts), `count` (print `count <n> <first> <second> <last>`: request epoch ms).
import { subscribe } from 'node:diagnostics_channel';
import { createInterface } from 'node:readline';
import { startServer } from '../server/index.ts';

const token = process.argv[2] ?? 'bench-token';
let count = 0;
let first = 0;
let second = 0;
let last = 0;
subscribe('http.server.request.start', () => {
  const now = Date.now();
  if (count === 0) first = now;
  if (count === 1) second = now;
  last = now;
  count += 1;
});
const server = await startServer({ tokens: [token] });
console.log(`listening on ${server.url}`);
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'mark') {
    count = 0;
    first = 0;
    second = 0;
    last = 0;
    console.log('marked');
  } else if (line === 'count') console.log(`count ${count} ${first} ${second} ${last}`);
});
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
