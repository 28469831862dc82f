import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { HarnessError } from '../errors.ts';
import {
  toKeysPage,
  type DriverCapability,
  type DriverFactoryContext,
  type DriverInfo,
  type KeysPage,
  type KeysQuery,
  type KvsDriver,
  type KvsDriverFactory,
  type RecordValue,
  type StoreInfo,
  type StoreListPage,
  type StoreListQuery,
} from './kvs-driver.ts';

// A driver in another process (any language), speaking JSON lines over its stdin and stdout; the
// protocol is docs/stdio-drivers.md. One request line per operation, one answer line per request,
// matched by id; bytes travel as base64; a client's error as `{status, type, message}`.

/** What a stdio driver's error answer carries: the HTTP status and error type its client saw. */
export class StdioDriverError extends Error {
  readonly status: number | undefined;
  readonly type: string | undefined;

  constructor(message: string, status?: number, type?: string) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

/** The optional operations a stdio driver may offer (it lists them in its hello answer). */
const OPTIONAL_OPERATIONS = ['iterateKeys', 'getRecordValue', 'setRecordValue'] as const;

/** The most keys a stdio driver's iterateKeys is asked to yield (a runaway iterator stops there). */
const MAX_ITERATED_KEYS = 10_000;

interface Answer {
  readonly id?: unknown;
  readonly result?: unknown;
  readonly error?: { readonly status?: unknown; readonly type?: unknown; readonly message?: unknown };
}

interface HelloResult {
  readonly name?: unknown;
  readonly package?: unknown;
  readonly version?: unknown;
  readonly unsupported?: unknown;
  readonly operations?: unknown;
}

/** A value as JSON lines carry it: JSON as it is, bytes as `{"$bytes": base64}`. */
const encodeValue = (value: unknown): unknown =>
  Buffer.isBuffer(value) ? { $bytes: value.toString('base64') } : value;
const decodeValue = (value: unknown): unknown => {
  const bytes = (value as { $bytes?: unknown } | null)?.$bytes;
  return typeof bytes === 'string' && Object.keys(value as object).length === 1
    ? Buffer.from(bytes, 'base64')
    : value;
};

/** The connection to one driver process: requests by id, answers matched back. */
class StdioConnection {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #pending = new Map<
    number,
    { resolve: (answer: Answer) => void; reject: (error: Error) => void }
  >();
  readonly #command: string;
  readonly #timeoutMs: number;
  #next = 1;
  #stderr = '';
  #exited: string | undefined;

  constructor(command: string, cwd: string, timeoutMs: number) {
    this.#command = command;
    this.#timeoutMs = timeoutMs;
    this.#child = spawn(command, { cwd, shell: true, stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child.stderr.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-2000);
    });
    this.#child.stdin.on('error', () => undefined);
    createInterface({ input: this.#child.stdout }).on('line', (line) => this.#receive(line));
    this.#child.on('error', (error) => this.#fail(`could not start: ${error.message}`));
    this.#child.on('exit', (code, signal) => this.#fail(`exited (${signal ?? `code ${String(code)}`})`));
  }

  #fail(why: string): void {
    this.#exited ??= `${why}${this.#stderr ? `; its stderr ends: ${this.#stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`;
    for (const { reject } of this.#pending.values())
      reject(new HarnessError('KVSC_USAGE', `--driver-cmd ${this.#command} ${this.#exited}`));
    this.#pending.clear();
  }

  #receive(line: string): void {
    if (line.trim() === '') return;
    let answer: Answer;
    try {
      answer = JSON.parse(line) as Answer;
    } catch {
      this.#fail(`wrote a line that is not JSON: ${JSON.stringify(line.slice(0, 120))}`);
      return;
    }
    const waiting = typeof answer.id === 'number' ? this.#pending.get(answer.id) : undefined;
    if (!waiting) {
      this.#fail(`answered an id it was not asked (${JSON.stringify(answer.id)})`);
      return;
    }
    this.#pending.delete(answer.id as number);
    waiting.resolve(answer);
  }

  /** Sends one operation and waits for its answer; an error answer throws a StdioDriverError. */
  async request(op: string, args: Record<string, unknown>): Promise<unknown> {
    if (this.#exited) throw new HarnessError('KVSC_USAGE', `--driver-cmd ${this.#command} ${this.#exited}`);
    const id = this.#next++;
    const answer = await new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${op} got no answer from the driver within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      this.#pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.#child.stdin.write(`${JSON.stringify({ id, op, args })}\n`);
    });
    if (answer.error) {
      const { status, type, message } = answer.error;
      throw new StdioDriverError(
        `${typeof status === 'number' ? status : 'error'} ${typeof type === 'string' ? type : ''}: ${typeof message === 'string' ? message : op}`,
        typeof status === 'number' ? status : undefined,
        typeof type === 'string' ? type : undefined,
      );
    }
    return answer.result;
  }

  async close(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.stdin.end();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 2_000);
    await exited;
    clearTimeout(timer);
  }
}

/** The capabilities a hello answer declares unsupported, each with its reason (strings only). */
function unsupportedOf(declared: unknown): Partial<Record<DriverCapability, string>> {
  return Object.fromEntries(
    Object.entries(typeof declared === 'object' && declared !== null ? declared : {}).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}

/** The record answer of getRecord: `null` for a miss, else base64 bytes and the content type. */
function toRecord(result: unknown): RecordValue | undefined {
  if (result === null || result === undefined) return undefined;
  const record = result as { value?: unknown; contentType?: unknown };
  return {
    value: Buffer.from(typeof record.value === 'string' ? record.value : '', 'base64'),
    contentType: typeof record.contentType === 'string' ? record.contentType : '',
  };
}

/**
 * The factory of a driver that runs `command` (through the shell, in `cwd`) and speaks the JSON
 * lines protocol of docs/stdio-drivers.md with it. Each suite file gets its own process.
 */
export function stdioDriverFactory(command: string, cwd: string): KvsDriverFactory {
  return async (context: DriverFactoryContext): Promise<KvsDriver> => {
    // A call may retry up to maxRetries times, each within the timeout.
    const connection = new StdioConnection(command, cwd, context.timeoutMs * (context.maxRetries + 2));
    const hello = (await connection.request('hello', { context })) as HelloResult | null;
    if (typeof hello?.name !== 'string' || hello.name === '') {
      await connection.close();
      throw new HarnessError(
        'KVSC_USAGE',
        `--driver-cmd ${command}: the hello answer has no name (expected {"name": "...", "package": ..., "version": ..., "operations": [...]})`,
      );
    }
    const info: DriverInfo = {
      name: hello.name,
      package: typeof hello.package === 'string' ? hello.package : undefined,
      version: typeof hello.version === 'string' ? hello.version : undefined,
      transport: 'http',
    };
    const offered = new Set(Array.isArray(hello.operations) ? (hello.operations as unknown[]) : []);
    const call = (op: string, args: Record<string, unknown>): Promise<unknown> =>
      connection.request(op, args);
    const driver: KvsDriver = {
      name: info.name,
      info,
      unsupported: unsupportedOf(hello.unsupported),
      listStores: async (query: StoreListQuery = {}) =>
        (await call('listStores', { query })) as StoreListPage,
      getOrCreateStore: async (name?: string) =>
        (await call('getOrCreateStore', name === undefined ? {} : { name })) as StoreInfo,
      getStore: async (storeId) =>
        ((await call('getStore', { storeId })) ?? undefined) as StoreInfo | undefined,
      updateStore: async (storeId, fields) => (await call('updateStore', { storeId, fields })) as StoreInfo,
      deleteStore: async (storeId) => {
        await call('deleteStore', { storeId });
      },
      listKeys: async (storeId, query: KeysQuery = {}) =>
        toKeysPage((await call('listKeys', { storeId, query })) as KeysPage),
      getRecord: async (storeId, key) => toRecord(await call('getRecord', { storeId, key })),
      recordExists: async (storeId, key) => (await call('recordExists', { storeId, key })) === true,
      setRecord: async (storeId, key, value, contentType) => {
        await call('setRecord', { storeId, key, value: value.toString('base64'), contentType });
      },
      deleteRecord: async (storeId, key) => {
        await call('deleteRecord', { storeId, key });
      },
      close: () => connection.close(),
    };
    const optional: Partial<Pick<KvsDriver, (typeof OPTIONAL_OPERATIONS)[number]>> = {
      async *iterateKeys(storeId: string, query: KeysQuery = {}) {
        const answer = (await call('iterateKeys', { storeId, query, max: MAX_ITERATED_KEYS })) as {
          keys?: unknown;
        } | null;
        for (const key of Array.isArray(answer?.keys) ? (answer.keys as unknown[]) : [])
          yield { key: String(key) };
      },
      getRecordValue: async (storeId, key) => {
        const read = (await call('getRecordValue', { storeId, key })) as {
          value?: unknown;
          contentType?: unknown;
        } | null;
        return read === null || read === undefined
          ? undefined
          : {
              value: decodeValue(read.value),
              contentType: typeof read.contentType === 'string' ? read.contentType : '',
            };
      },
      setRecordValue: async (storeId, key, value, contentType) => {
        await call('setRecordValue', {
          storeId,
          key,
          value: encodeValue(value),
          ...(contentType === undefined ? {} : { contentType }),
        });
      },
    };
    for (const op of OPTIONAL_OPERATIONS) if (offered.has(op)) Object.assign(driver, { [op]: optional[op] });
    return driver;
  };
}
