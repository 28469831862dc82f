// The baseline for bench/server-throughput.ts: a bare node:http server that answers every request
// with a fixed small body — the ceiling any Node HTTP server on this machine can reach.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const body = Buffer.from('x'.repeat(Number(process.argv[2] ?? 100)));
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
