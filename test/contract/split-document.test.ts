import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareOperations } from '../../harness/contract/compare-operations.ts';
import { diffAgainstContract } from '../../harness/contract/diff-against-contract.ts';
import { contractDiffJson, describeContractDiff } from '../../cli/describe-contract-diff.ts';
import { HarnessError, loadContract, type Contract } from '../../harness/index.ts';

/** The shipped contract written by the project as many files: relative $refs and YAML merge keys. */
const SPLIT = fileURLToPath(new URL('./fixtures/split-openapi/', import.meta.url));
const shipped = await loadContract();

/** What the rules see of a contract: operations with statuses, media types, headers, parameters. */
function shape(contract: Contract): unknown {
  return [...contract.operations.values()].map((operation) => ({
    id: operation.id,
    method: operation.method,
    path: operation.path,
    parameters: operation.parameters.map((p) => `${p.in} ${p.name} ${String(p.required)}`),
    responses: [...operation.responses.values()].map((response) => ({
      status: response.status,
      headers: response.requiredHeaders,
      media: [...response.media].map(([type, validate]) => `${type} ${validate ? 'schema' : 'opaque'}`),
    })),
  }));
}

/** A copy of the split document with some files' text changed. */
function splitCopyWith(edits: Record<string, (text: string) => string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kvsc-split-'));
  cpSync(SPLIT, dir, { recursive: true });
  for (const [file, edit] of Object.entries(edits)) {
    const text = readFileSync(join(dir, file), 'utf8');
    const edited = edit(text);
    if (edited === text) throw new Error(`test bug: the edit did not change ${file}`);
    writeFileSync(join(dir, file), edited);
  }
  return join(dir, 'openapi.yaml');
}

describe('a split OpenAPI document (relative $refs, YAML merge keys) as the base', () => {
  it('yields the same operations, limits and rules as the shipped contract, with the overlay applied', async () => {
    // Loaded from another working directory's point of view: refs resolve against the document.
    const split = await loadContract({ openapiFile: relative(process.cwd(), join(SPLIT, 'openapi.yaml')) });
    expect(shape(split)).toEqual(shape(shipped));
    expect(compareOperations(split.document, shipped.document)).toEqual([]);
    expect(split.limits).toEqual(shipped.limits);
    expect([...split.rules.keys()]).toEqual([...shipped.rules.keys()]);
    // PUT and POST record at the store path and at the three alias paths each.
    expect(split.overlay.matches.get('record-payload-limit')).toBe(8);
    expect([...split.aliases.keys()]).toEqual([...shipped.aliases.keys()]);
    expect(split.aliases.size).toBe(27);
  });

  it('loads from an http URL, its relative $refs resolved against the URL', async () => {
    const server = createServer((request, response) => {
      const file = join(SPLIT, decodeURIComponent((request.url ?? '/').split('?')[0] ?? '/'));
      if (!file.startsWith(SPLIT)) return void response.writeHead(403).end();
      let body: Buffer;
      try {
        body = readFileSync(file);
      } catch {
        return void response.writeHead(404).end();
      }
      response.writeHead(200, { 'content-type': 'application/yaml' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const split = await loadContract({ openapiFile: `http://127.0.0.1:${port}/openapi.yaml` });
      expect(shape(split)).toEqual(shape(shipped));
      expect(split.specFile).toBe(`http://127.0.0.1:${port}/openapi.yaml`);
      const missing = await loadContract({ openapiFile: `http://127.0.0.1:${port}/nothing.yaml` }).catch(
        (caught: unknown) => caught,
      );
      expect((missing as HarnessError).code).toBe('KVSC_SPEC_UNREADABLE');
      expect((missing as HarnessError).reason).toBe('GET answered 404; allowed: 200 with the document');
    } finally {
      server.close();
    }
  });

  it('names every key-value-store operation the document lacks', async () => {
    const file = splitCopyWith({
      'operations/records.yaml': (text) =>
        text.replace('operationId: keyValueStore_records_get', 'operationId: keyValueStore_zip_get'),
    });
    const error = await loadContract({ openapiFile: file }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe('KVSC_SPEC_OPERATION_MISSING');
    expect((error as HarnessError).reason).toBe(
      'the document defines no operation with operationId keyValueStore_records_get',
    );
  });
});

describe('contract diff', () => {
  it('explains every difference of the split shipped document by an overlay entry', async () => {
    const diff = await diffAgainstContract(join(SPLIT, 'openapi.yaml'), shipped);
    expect(diff.unexplained).toBe(0);
    expect(diff.aliasOperations).toEqual({ given: 27, ours: 27, compared: 27 });
    // The alias operations are compared too: the overlay reaches them as it reaches their store operations.
    expect(diff.differences.map((d) => [d.operationId, d.where, d.mark, d.explainedBy])).toEqual(
      ['', 'actorRun_', 'actor_runs_last_', 'actorTask_runs_last_'].flatMap((prefix) => [
        [`${prefix}keyValueStore_record_put`, 'x-kvs-max-payload-bytes', 'stricter', 'record-payload-limit'],
        [`${prefix}keyValueStore_record_post`, 'x-kvs-max-payload-bytes', 'stricter', 'record-payload-limit'],
      ]),
    );
  });

  it('reports exactly the three planted differences, each marked and unexplained', async () => {
    const file = splitCopyWith({
      // 1. The key list's limit may go up to 2000: the shipped contract (1000) is stricter.
      'components/parameters.yaml': (text) => text.replace(/(keysLimit:[\s\S]*?maximum: )1000/, '$12000'),
      // 2. Rename a store: no 413 documented.
      'operations/stores.yaml': (text) =>
        text.replace(
          /(keyValueStore_put:[\s\S]*?)\s+'413':\n\s+\$ref: \.\.\/components\/responses\.yaml#\/PayloadTooLarge/,
          '$1',
        ),
      // 3. A key page requires nextExclusiveStartKey too: the shipped contract is looser.
      'components/schemas.yaml': (text) =>
        text.replace(
          /(ListOfKeys:\n {2}type: object\n {2}required:\n {4}- items\n {4}- count\n {4}- limit\n {4}- isTruncated)/,
          '$1\n    - nextExclusiveStartKey',
        ),
    });
    const diff = await diffAgainstContract(file, shipped);
    const unexplained = diff.differences
      .filter((d) => d.explainedBy === undefined)
      .map((d) => [d.operationId, d.where, d.mark, d.given, d.ours]);
    const own = unexplained.filter(([id]) => !shipped.aliases.has(String(id)));
    expect(own).toEqual([
      ['keyValueStore_put', 'response 413', 'missing', '—', 'documented'],
      ['keyValueStore_keys_get', 'parameter query limit: maximum', 'stricter', '2000', '1000'],
      [
        'keyValueStore_keys_get',
        'response 200 application/json: body.data required',
        'looser',
        '["items","count","limit","isTruncated","nextExclusiveStartKey"]',
        '["items","count","limit","isTruncated"]',
      ],
    ]);
    // The document's alias operations merge its store operations: each planted difference shows at
    // each of the three alias paths of its operation, and nothing else does.
    const aliased = unexplained
      .filter(([id]) => shipped.aliases.has(String(id)))
      .map(([id, ...rest]) => JSON.stringify([shipped.aliases.get(String(id))?.operationId, ...rest]));
    expect(aliased).toHaveLength(9);
    expect(new Set(aliased)).toEqual(new Set(own.map((difference) => JSON.stringify(difference))));
    expect(diff.unexplained).toBe(12);
    // The payload limit on PUT and POST record, at the store path and the three alias paths.
    expect(diff.differences.filter((d) => d.explainedBy !== undefined)).toHaveLength(8);

    // Printed once, on the store operation, with how many alias operations share it (#23); --json keeps all.
    expect(diff.differences.filter((d) => shipped.aliases.has(d.operationId)).map((d) => d.copyOf)).toEqual(
      diff.differences
        .filter((d) => shipped.aliases.has(d.operationId))
        .map((d) => shipped.aliases.get(d.operationId)?.operationId),
    );
    const text = describeContractDiff(diff);
    expect(text.match(/unexplained \(also on 3 alias operations\)/g)).toHaveLength(3);
    expect(text).not.toMatch(/^actorRun_|^actor_runs_last_|^actorTask_runs_last_/m);
    expect(text).toContain(
      'of them 15 on alias operations the same as on their store operation (9 unexplained)',
    );
    const json = contractDiffJson(diff) as { differences: unknown[] };
    expect(json.differences).toHaveLength(diff.differences.length);
  });

  it("lists an alias operation's own difference under the alias operation", () => {
    const base = {
      where: 'response 200',
      mark: 'missing',
      given: '—',
      ours: 'documented',
      explainedBy: undefined,
    } as const;
    const text = describeContractDiff({
      given: { location: 'doc.yaml', version: '1' },
      ours: { location: 'spec/openapi.yaml', version: '2', overlayVersion: '3' },
      differences: [
        { ...base, operationId: 'keyValueStore_get', copyOf: undefined },
        { ...base, operationId: 'actorRun_keyValueStore_get', copyOf: 'keyValueStore_get' },
        { ...base, where: 'response 404', operationId: 'actorRun_keyValueStore_get', copyOf: undefined },
      ],
      entryMatches: new Map(),
      unexplained: 3,
      aliasOperations: { given: 27, ours: 27, compared: 27 },
    });
    expect(text).toContain(
      'keyValueStore_get\n  missing   response 200: document —, ours documented — unexplained (also on 1 alias operation)',
    );
    expect(text).toContain(
      'actorRun_keyValueStore_get\n  missing   response 404: document —, ours documented — unexplained\n',
    );
  });
});
