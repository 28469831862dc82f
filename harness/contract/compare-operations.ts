import type { OpenAPIV3 } from 'openapi-types';

/**
 * How the shipped contract stands to the other document at one place: it demands more
 * (stricter), less (looser), only one of them documents the place (missing), or the two say
 * different things neither of which includes the other (different).
 */
export type DifferenceMark = 'stricter' | 'looser' | 'missing' | 'different';

/** One place where two documents' key-value-store operations differ. */
export interface OperationDifference {
  readonly operationId: string;
  /** The place, e.g. `parameter query limit: maximum` or `response 200 application/json: body.data.id pattern`. */
  readonly where: string;
  readonly mark: DifferenceMark;
  /** The value in the other document (`—` where it says nothing). */
  readonly given: string;
  /** The value in the shipped contract (`—` where it says nothing). */
  readonly ours: string;
}

type Schema = Record<string, unknown>;
type Push = (where: string, mark: DifferenceMark, given: unknown, ours: unknown) => void;

/** Schema keywords that document and never constrain a value. */
const ANNOTATIONS = new Set([
  'description',
  'title',
  'example',
  'examples',
  'default',
  'deprecated',
  'readOnly',
  'writeOnly',
  'xml',
  'externalDocs',
  'discriminator',
  '$schema',
  '$id',
  'nullable',
  'type',
]);
const LOWER_BOUNDS = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'];
const UPPER_BOUNDS = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'];
const HANDLED = new Set([
  ...LOWER_BOUNDS,
  ...UPPER_BOUNDS,
  'enum',
  'required',
  'properties',
  'items',
  'additionalProperties',
]);

const NONE = '—';
/** A value as shown in a difference: compact JSON, cut at 100 characters. */
export function showValue(value: unknown): string {
  if (value === undefined) return NONE;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

const asSchema = (value: unknown): Schema =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Schema) : {};
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );

/** The types a schema allows (3.0 `nullable` and 3.1 type lists alike); undefined: any type. */
function typeSet(schema: Schema): Set<string> | undefined {
  const type = schema.type;
  if (type === undefined) return undefined;
  const types = new Set(Array.isArray(type) ? (type as string[]) : [type as string]);
  if (schema.nullable === true) types.add('null');
  return types;
}

/** Every value of `inner` is allowed by `outer` (integer ⊂ number). */
function typesWithin(inner: Set<string>, outer: Set<string>): boolean {
  return [...inner].every((type) => outer.has(type) || (type === 'integer' && outer.has('number')));
}

/** Compares two sets of allowed things: fewer allowed by ours is stricter. */
function compareAllowed(
  where: string,
  given: readonly unknown[] | undefined,
  ours: readonly unknown[] | undefined,
  push: Push,
): void {
  if (given === undefined && ours === undefined) return;
  if (given === undefined) return push(where, 'stricter', given, ours);
  if (ours === undefined) return push(where, 'looser', given, ours);
  const g = new Set(given.map(canonical));
  const o = new Set(ours.map(canonical));
  const oursWithin = [...o].every((value) => g.has(value));
  const givenWithin = [...g].every((value) => o.has(value));
  if (oursWithin && givenWithin) return;
  push(where, oursWithin ? 'stricter' : givenWithin ? 'looser' : 'different', given, ours);
}

/** Compares two required lists: more required by ours is stricter. */
function compareRequired(where: string, given: unknown, ours: unknown, push: Push): void {
  const g = new Set(Array.isArray(given) ? (given as string[]) : []);
  const o = new Set(Array.isArray(ours) ? (ours as string[]) : []);
  const oursMore = [...o].some((name) => !g.has(name));
  const givenMore = [...g].some((name) => !o.has(name));
  if (!oursMore && !givenMore) return;
  push(where, oursMore && givenMore ? 'different' : oursMore ? 'stricter' : 'looser', given, ours);
}

/** Compares the constraints of two schemas, keyword by keyword, into their properties and items. */
export function compareSchemas(given: unknown, ours: unknown, at: string, push: Push): void {
  const g = asSchema(given);
  const o = asSchema(ours);
  const place = (keyword: string): string => `${at} ${keyword}`.trim();
  const gTypes = typeSet(g);
  const oTypes = typeSet(o);
  if (gTypes || oTypes) {
    const shown = (types: Set<string> | undefined): string[] | undefined => types && [...types].sort();
    if (!gTypes) push(place('type'), 'stricter', undefined, shown(oTypes));
    else if (!oTypes) push(place('type'), 'looser', shown(gTypes), undefined);
    else {
      const oursWithin = typesWithin(oTypes, gTypes);
      const givenWithin = typesWithin(gTypes, oTypes);
      if (!(oursWithin && givenWithin))
        push(
          place('type'),
          oursWithin ? 'stricter' : givenWithin ? 'looser' : 'different',
          shown(gTypes),
          shown(oTypes),
        );
    }
  }
  for (const keyword of [...LOWER_BOUNDS, ...UPPER_BOUNDS]) {
    const gv = g[keyword];
    const ov = o[keyword];
    if (gv === ov || (typeof gv !== 'number' && typeof ov !== 'number')) continue;
    const lower = LOWER_BOUNDS.includes(keyword);
    const mark: DifferenceMark =
      typeof gv !== 'number'
        ? 'stricter'
        : typeof ov !== 'number'
          ? 'looser'
          : (lower ? ov > gv : ov < gv)
            ? 'stricter'
            : 'looser';
    push(place(keyword), mark, gv, ov);
  }
  compareAllowed(
    place('enum'),
    Array.isArray(g.enum) ? (g.enum as unknown[]) : undefined,
    Array.isArray(o.enum) ? (o.enum as unknown[]) : undefined,
    push,
  );
  compareRequired(place('required'), g.required, o.required, push);
  if (g.additionalProperties === false || o.additionalProperties === false) {
    if (g.additionalProperties !== o.additionalProperties)
      push(
        place('additionalProperties'),
        o.additionalProperties === false ? 'stricter' : 'looser',
        g.additionalProperties,
        o.additionalProperties,
      );
  } else if (typeof g.additionalProperties === 'object' || typeof o.additionalProperties === 'object') {
    compareSchemas(g.additionalProperties, o.additionalProperties, `${at}.*`, push);
  }
  const gProperties = asSchema(g.properties);
  const oProperties = asSchema(o.properties);
  for (const name of new Set([...Object.keys(gProperties), ...Object.keys(oProperties)])) {
    const inGiven = name in gProperties;
    const inOurs = name in oProperties;
    if (inGiven && inOurs) compareSchemas(gProperties[name], oProperties[name], `${at}.${name}`, push);
    else
      push(`${at}.${name}`, 'missing', inGiven ? 'documented' : undefined, inOurs ? 'documented' : undefined);
  }
  if (g.items !== undefined || o.items !== undefined) compareSchemas(g.items, o.items, `${at}[]`, push);
  // Everything else that constrains (pattern, format, const, allOf, ...): equal, or one side only.
  const others = new Set([...Object.keys(g), ...Object.keys(o)]);
  for (const keyword of others) {
    if (ANNOTATIONS.has(keyword) || HANDLED.has(keyword) || keyword.startsWith('x-')) continue;
    const gv = g[keyword];
    const ov = o[keyword];
    if (canonical(gv) === canonical(ov)) continue;
    push(place(keyword), gv === undefined ? 'stricter' : ov === undefined ? 'looser' : 'different', gv, ov);
  }
}

interface ParameterView {
  readonly required: boolean;
  readonly schema: unknown;
}

function parameters(
  pathItem: OpenAPIV3.PathItemObject,
  operation: OpenAPIV3.OperationObject,
): Map<string, ParameterView> {
  const map = new Map<string, ParameterView>();
  for (const raw of [...(pathItem.parameters ?? []), ...(operation.parameters ?? [])]) {
    const parameter = raw as OpenAPIV3.ParameterObject;
    const name = parameter.in === 'header' ? parameter.name.toLowerCase() : parameter.name;
    map.set(`${parameter.in} ${name}`, { required: parameter.required === true, schema: parameter.schema });
  }
  return map;
}

/** Compares two keyed maps: a key on one side only is `missing`; both sides go to `both`. */
function compareKeys<T>(
  where: (key: string) => string,
  given: ReadonlyMap<string, T>,
  ours: ReadonlyMap<string, T>,
  push: Push,
  both: (key: string, given: T, ours: T) => void,
): void {
  for (const key of new Set([...given.keys(), ...ours.keys()])) {
    const g = given.get(key);
    const o = ours.get(key);
    if (g !== undefined && o !== undefined) both(key, g, o);
    else
      push(
        where(key),
        'missing',
        g === undefined ? undefined : 'documented',
        o === undefined ? undefined : 'documented',
      );
  }
}

const entries = <T>(record: Readonly<Record<string, T>> | undefined): Map<string, T> =>
  new Map(Object.entries(record ?? {}));

function compareContent(
  prefix: string,
  given: OpenAPIV3.ResponseObject['content'],
  ours: OpenAPIV3.ResponseObject['content'],
  push: Push,
): void {
  compareKeys(
    (media) => `${prefix} ${media}`,
    entries(given),
    entries(ours),
    push,
    (media, g, o) => compareSchemas(g.schema, o.schema, `${prefix} ${media}: body`, push),
  );
}

/** Where two versions of one operation differ: parameters, body, statuses, headers, schemas, x-kvs-*. */
function compareOperation(
  operationId: string,
  given: {
    path: string;
    method: string;
    pathItem: OpenAPIV3.PathItemObject;
    operation: OpenAPIV3.OperationObject;
  },
  ours: {
    path: string;
    method: string;
    pathItem: OpenAPIV3.PathItemObject;
    operation: OpenAPIV3.OperationObject;
  },
  out: OperationDifference[],
): void {
  const push: Push = (where, mark, g, o) =>
    out.push({ operationId, where, mark, given: showValue(g), ours: showValue(o) });
  if (given.path !== ours.path || given.method !== ours.method)
    push('method and path', 'different', `${given.method} ${given.path}`, `${ours.method} ${ours.path}`);
  compareKeys(
    (key) => `parameter ${key}`,
    parameters(given.pathItem, given.operation),
    parameters(ours.pathItem, ours.operation),
    push,
    (key, g, o) => {
      if (g.required !== o.required)
        push(`parameter ${key}: required`, o.required ? 'stricter' : 'looser', g.required, o.required);
      compareSchemas(g.schema, o.schema, `parameter ${key}:`, push);
    },
  );
  const gBody = given.operation.requestBody as OpenAPIV3.RequestBodyObject | undefined;
  const oBody = ours.operation.requestBody as OpenAPIV3.RequestBodyObject | undefined;
  if (gBody || oBody) {
    if ((gBody?.required === true) !== (oBody?.required === true))
      push(
        'request body: required',
        oBody?.required ? 'stricter' : 'looser',
        gBody?.required,
        oBody?.required,
      );
    compareContent('request body', gBody?.content, oBody?.content, push);
  }
  compareKeys(
    (status) => `response ${status}`,
    entries(given.operation.responses as Record<string, OpenAPIV3.ResponseObject>),
    entries(ours.operation.responses as Record<string, OpenAPIV3.ResponseObject>),
    push,
    (status, g, o) => {
      const headers = (response: OpenAPIV3.ResponseObject): Map<string, OpenAPIV3.HeaderObject> =>
        new Map(
          Object.entries(response.headers ?? {}).map(([name, header]) => [
            name.toLowerCase(),
            header as OpenAPIV3.HeaderObject,
          ]),
        );
      compareKeys(
        (name) => `response ${status} header ${name}`,
        headers(g),
        headers(o),
        push,
        (name, gh, oh) => {
          if ((gh.required === true) !== (oh.required === true))
            push(
              `response ${status} header ${name}: required`,
              oh.required ? 'stricter' : 'looser',
              gh.required,
              oh.required,
            );
        },
      );
      compareContent(`response ${status}`, g.content, o.content, push);
    },
  );
  const kvsExtensions = (operation: OpenAPIV3.OperationObject): Map<string, unknown> =>
    new Map(Object.entries(operation).filter(([key]) => key.startsWith('x-kvs-')));
  const gx = kvsExtensions(given.operation);
  const ox = kvsExtensions(ours.operation);
  for (const key of new Set([...gx.keys(), ...ox.keys()])) {
    const gv = gx.get(key);
    const ov = ox.get(key);
    if (canonical(gv) !== canonical(ov))
      push(key, gv === undefined ? 'stricter' : ov === undefined ? 'looser' : 'different', gv, ov);
  }
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

function operationsById(document: OpenAPIV3.Document) {
  const found = new Map<
    string,
    { path: string; method: string; pathItem: OpenAPIV3.PathItemObject; operation: OpenAPIV3.OperationObject }
  >();
  for (const [path, pathItem] of Object.entries(document.paths ?? {})) {
    if (!pathItem) continue;
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (operation?.operationId)
        found.set(operation.operationId, { path, method: method.toUpperCase(), pathItem, operation });
    }
  }
  return found;
}

/**
 * Every place where the operations of two dereferenced documents (plain JSON, as
 * selectOperations returns them) differ in parameters, request body, statuses, headers, media
 * types, body schema constraints and `x-kvs-*` limits; annotations (descriptions, examples) are
 * ignored. Marks are from the point of view of `ours`.
 */
export function compareOperations(
  given: OpenAPIV3.Document,
  ours: OpenAPIV3.Document,
): OperationDifference[] {
  const out: OperationDifference[] = [];
  const g = operationsById(given);
  const o = operationsById(ours);
  for (const id of new Set([...o.keys(), ...g.keys()])) {
    const gv = g.get(id);
    const ov = o.get(id);
    if (gv && ov) compareOperation(id, gv, ov, out);
    else
      out.push({
        operationId: id,
        where: 'operation',
        mark: 'missing',
        given: gv ? 'documented' : NONE,
        ours: ov ? 'documented' : NONE,
      });
  }
  return out;
}
