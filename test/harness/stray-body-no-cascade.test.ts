// A HEAD answer or a 204 that carries a body desyncs apify-client's kept-alive connection: its HTTP
// parser refuses the stray bytes as the start of the next answer. That is KVS-SCHEMA-006's failure
// (judged on the raw socket by the probe, and on the client's refused bytes here), never the rule
// of the call it broke: one detail must never hide other rules.
import { describe, expect, it } from 'vitest';
import { StrayBodyWatch } from '../../harness/drivers/stray-body-watch.ts';
import { runAgainstFault } from './run-against-fault.ts';

const TOKEN = 'stray-body-token-7c2e91';

/** A parse error as Node's HTTP client raises it, with the bytes it refused. */
const parseError = (raw: string): Error =>
  Object.assign(new Error('Parse Error: Expected HTTP/'), {
    code: 'HPE_INVALID_CONSTANT',
    rawPacket: Buffer.from(raw),
  });

/** A watch told of one request that got `status` and one that got no answer. */
function watched(first: [string, number], failing: string): StrayBodyWatch {
  const watch = new StrayBodyWatch(TOKEN);
  const onRequest = watch.watching(() => () => undefined);
  onRequest({ method: first[0], url: `http://h/v2/a?token=${TOKEN}` })({ status: first[1] });
  onRequest({ method: failing, url: 'http://h/v2/b' })({ error: 'HPE_INVALID_CONSTANT' });
  return watch;
}

describe('StrayBodyWatch', () => {
  it('a parse error showing a 204 or a HEAD answer with bytes after its head is KVS-SCHEMA-006', () => {
    const deleted = watched(['PUT', 201], 'DELETE').violationFor(
      parseError('HTTP/1.1 204 No Content\r\nconnection: keep-alive\r\n\r\n{}'),
      'lib',
    );
    expect(deleted?.failure).toMatchObject({ ruleId: 'KVS-SCHEMA-006' });
    expect(deleted?.message).toContain('answered 204 to DELETE http://h/v2/b and then 2 more byte(s) ("{}")');
    const head = watched(['GET', 200], 'HEAD').violationFor(
      parseError('HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\n{}'),
      'lib',
    );
    expect(head?.message).toContain('answered 404 to HEAD http://h/v2/b');
  });

  it('stray bytes right after a bodyless answer are KVS-SCHEMA-006; the token is redacted', () => {
    const violation = watched(['HEAD', 200], 'GET').violationFor(
      parseError('{"a":1}HTTP/1.1 200 OK\r\n\r\n'),
      'lib',
    );
    expect(violation?.message).toContain(`answered 200 to HEAD http://h/v2/a?token=$APIFY_TOKEN`);
    expect(violation?.message).not.toContain(TOKEN);
  });

  it('any other error stays the call’s own', () => {
    // A GET whose answer the parser refused, after an answer with a body: not a bodyless answer's fault.
    expect(
      watched(['PUT', 201], 'GET').violationFor(parseError('HTTP/1.1 200 OK\r\n\r\nxx'), 'lib'),
    ).toBeUndefined();
    expect(watched(['PUT', 201], 'GET').violationFor(parseError('garbage'), 'lib')).toBeUndefined();
    // Not a parse error, or one that does not carry the bytes.
    expect(watched(['HEAD', 200], 'DELETE').violationFor(new Error('ECONNRESET'), 'lib')).toBeUndefined();
    expect(
      watched(['HEAD', 200], 'DELETE').violationFor(
        Object.assign(new Error('x'), { code: 'HPE_INVALID_CONSTANT' }),
        'lib',
      ),
    ).toBeUndefined();
  });
});

describe('a body after a HEAD answer or a 204 fails KVS-SCHEMA-006 alone', () => {
  it.concurrent.each(['schema-head-with-body', 'schema-204-body-kept-alive'])(
    '%s: only KVS-SCHEMA-006 fails, also where apify-client read the stray bytes',
    async (name) => {
      const { result, report } = await runAgainstFault(name, TOKEN, ['--seed', '1', '--runs', '5']);
      const failed = report.rules.filter((rule) => rule.verdict === 'fail');
      expect({ code: result.code, failed: failed.map((rule) => rule.id) }).toEqual({
        code: 1,
        failed: ['KVS-SCHEMA-006'],
      });
      // No test met an error of the harness on the way (a driver's key iterator kept as it is).
      expect(report.incomplete.filter((line) => line.includes('error of the harness'))).toEqual([]);
      expect(failed[0]?.failures.map((failure) => failure.message)).toContainEqual(
        expect.stringContaining('apify-client could not read an answer as HTTP'),
      );
    },
  );
});
