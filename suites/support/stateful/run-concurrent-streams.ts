import { setTimeout as sleep } from 'node:timers/promises';
import {
  ContractViolationError,
  findInterleavingMisfit,
  type CheckedResponse,
  type Exchange,
  type HttpApi,
  type KeyOperation,
  type ModelSettings,
} from '../../../harness/index.ts';
import type { ConcurrentStreams, StreamCommand } from '../../../generators/index.ts';

/** One command as it ran: which stream, what it did, when, and what it saw. */
interface RanCommand {
  readonly stream: string;
  readonly step: number;
  readonly command: StreamCommand;
  readonly operation: KeyOperation;
  readonly exchange: Exchange;
}

const ms = (value: number): string => value.toFixed(1);
const state = (label: string | null): string => (label === null ? 'no record' : JSON.stringify(label));

const describe = (ran: RanCommand, origin: number): string => {
  const { operation, command } = ran;
  const what =
    operation.kind === 'write'
      ? command.op === 'delete'
        ? `delete ${JSON.stringify(command.key)}`
        : `put ${JSON.stringify(command.key)} = ${state(operation.label)}`
      : operation.kind === 'read'
        ? `get ${JSON.stringify(command.key)} → ${state(operation.saw)}`
        : `head ${JSON.stringify(command.key)} → ${operation.saw ? 'exists' : 'missing'}`;
  return `${ran.step}. ${what}  [${ms(operation.start - origin)}–${ms(operation.end - origin)} ms, ${ran.exchange.response?.status ?? 'no answer'}]`;
};

/**
 * Runs two command streams at once against one store (each stream's commands one after the
 * other, the two side by side), then reads every key once more (after the window under
 * `eventual`), and checks each key's operations against the model: under `strong` some
 * interleaving consistent with the real-time order must explain every read (linearizable per
 * key); under `eventual` each read must show a state current within the window. Statuses are
 * judged as they come (KVS-STATE-002, with the response checks). When no interleaving fits, the
 * failure (KVS-STATE-002) shows both streams with each command's time span and answer.
 */
export async function runConcurrentStreams(
  api: HttpApi,
  storeId: string,
  scenario: ConcurrentStreams,
  settings: ModelSettings,
): Promise<void> {
  const origin = performance.now();
  const ran: RanCommand[] = [];
  const written = new Set<string>();
  const run = async (stream: string, step: number, command: StreamCommand): Promise<void> => {
    const { op, key } = command;
    const label = op === 'put' ? `${stream}.${step}` : null;
    if (label !== null) written.add(label);
    const expect = (status: readonly number[]) => ({
      ruleId: 'KVS-STATE-002' as const,
      status,
      what: `stream ${stream} step ${step} (${op} ${JSON.stringify(key)})`,
    });
    if (command.pauseMs > 0) await sleep(command.pauseMs);
    const start = performance.now();
    let response: CheckedResponse;
    switch (op) {
      case 'put':
        response = await api.call('keyValueStore_record_put', {
          storeId,
          recordKey: key,
          headers: { 'content-type': 'text/plain; charset=utf-8' },
          body: label ?? '',
          expect: expect([201, ...settings.overwriteStatuses]),
        });
        break;
      case 'get':
        response = await api.call('keyValueStore_record_get', {
          storeId,
          recordKey: key,
          expect: expect([200, 404]),
        });
        break;
      case 'head':
        response = await api.call('keyValueStore_record_head', {
          storeId,
          recordKey: key,
          expect: expect([200, 404]),
        });
        break;
      case 'delete':
        response = await api.call('keyValueStore_record_delete', {
          storeId,
          recordKey: key,
          expect: expect([204, ...settings.deleteMissingStatuses]),
        });
        break;
    }
    const end = performance.now();
    const seen = response.body.toString('utf8');
    const operation: KeyOperation =
      op === 'put' || op === 'delete'
        ? { kind: 'write', label, start, end }
        : op === 'head'
          ? { kind: 'exists', saw: response.status === 200, start, end }
          : {
              kind: 'read',
              // A value no command wrote is shown as it read, and fits no interleaving.
              saw:
                response.status !== 200 ? null : written.has(seen) ? seen : `unwritten ${seen.slice(0, 40)}`,
              start,
              end,
            };
    ran.push({ stream, step, command, operation, exchange: response.exchange });
  };
  const sequentially = async (stream: string, commands: readonly StreamCommand[]): Promise<void> => {
    for (const [index, command] of commands.entries()) await run(stream, index + 1, command);
  };
  await sequentially(
    'setup',
    [...scenario.initial].map((key) => ({ op: 'put' as const, key, pauseMs: 0 })),
  );
  const [first, second] = scenario.streams;
  await Promise.all([sequentially('A', first), sequentially('B', second)]);
  // Under eventual a read may lag for the window: the last reads come after it, so a lost write shows.
  if (settings.windowMs > 0) await sleep(settings.windowMs);
  const keys = [...new Set([...scenario.initial, ...[...first, ...second].map((command) => command.key)])];
  await sequentially(
    'final',
    keys.map((key) => ({ op: 'get' as const, key, pauseMs: 0 })),
  );
  for (const key of keys) {
    const operations = ran.filter((each) => each.command.key === key);
    const misfit = findInterleavingMisfit(
      operations.map((each) => each.operation),
      null,
      settings.windowMs,
    );
    if (!misfit) continue;
    const blamed = operations.find((each) => each.operation === misfit.read);
    const lines = (stream: string): string =>
      ran
        .filter((each) => each.stream === stream)
        .map((each) => `    ${describe(each, origin)}`)
        .join('\n') || '    (none)';
    throw new ContractViolationError({
      ruleId: 'KVS-STATE-002',
      operationId: blamed?.exchange.operationId,
      message: [
        `record ${JSON.stringify(key)}: no interleaving of the two streams the model allows (${settings.windowMs > 0 ? `each read within the ${settings.windowMs} ms window` : 'linearizable'}) explains ${blamed ? `stream ${blamed.stream} step ${blamed.step}: ${describe(blamed, origin)}` : 'the reads'}`,
        ...['setup', 'A', 'B', 'final'].map((stream) => `  ${stream}:\n${lines(stream)}`),
      ].join('\n'),
      evidence: {},
      exchanges: ran.map((each) => each.exchange),
    });
  }
}
