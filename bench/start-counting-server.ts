// Starts bench/counting-server.ts (the reference server counting the requests it receives) in a
// process of its own, for the benchmarks that measure the harness's request rate at the server.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The counting reference server, driven through its stdin commands (`mark`, `count`). */
export interface CountingServer {
  readonly url: string;
  /** Sends one command line and resolves with the server's answer line. */
  command(line: string): Promise<string>;
  stop(): void;
}

/** Starts the counting server accepting `token`; resolves once it listens. */
export async function startCountingServer(token: string): Promise<CountingServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/counting-server.ts', token], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = (): Promise<string> => new Promise((done) => waiting.push(done));
  const url = /listening on (\S+)/.exec(await next())?.[1];
  if (!url) throw new Error('the counting server did not start');
  return {
    url,
    command: (line) => {
      const answer = next();
      child.stdin.write(`${line}\n`);
      return answer;
    },
    stop: () => child.kill('SIGTERM'),
  };
}
