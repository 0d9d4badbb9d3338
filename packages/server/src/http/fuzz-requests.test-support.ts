/**
 * Invalid requests generated from the OpenAPI document, for openapi-fuzz.test.ts. Each request
 * starts from a valid one (path parameters that name seeded things, a body made from the
 * route's schema or a realistic example) and gets exactly one defect: a wrong path segment, a
 * wrong or unknown query parameter, a wrong body field, a body that is not what the route takes
 * (deep, huge, not JSON, not an object, wrongly typed), or odd headers.
 */
import { nestedJson, nestedValue, ODD_HEADERS, WRONG_SEGMENTS, WRONG_VALUES, wrongQueryValues, type Random } from './fuzz-values.test-support.js';

type Schema = Record<string, unknown>;

export interface Operation {
  id: string;
  method: string;
  /** OpenAPI path with `{param}` placeholders. */
  path: string;
  pathParams: Schema[];
  queryParams: { name: string; schema: Schema }[];
  body?: Schema;
  /** Answers an event stream: only defects that are refused before the stream opens. */
  streams: boolean;
}

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
  /** What was wrong with it, for the failure message. */
  defect: string;
}

/** Every operation of the document, with what a request to it carries. */
export function operationsOf(document: { paths: Record<string, Record<string, Schema>> }): Operation[] {
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const parameters = (op.parameters ?? []) as { in: string; name: string; schema: Schema }[];
      const content = (op.requestBody as { content?: Record<string, { schema: Schema }> } | undefined)?.content;
      const ok = ((op.responses as Record<string, { content?: Record<string, unknown> }>)['200']?.content) ?? {};
      operations.push({
        id: String(op.operationId),
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => ({ name: p.name, ...p.schema })),
        queryParams: parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema })),
        ...(content?.['application/json'] ? { body: content['application/json'].schema } : {}),
        streams: 'text/event-stream' in ok,
      });
    }
  }
  return operations;
}

/** A valid value for a schema: what the route would take, before one part of it is spoilt. */
export function validFor(schema: Schema): unknown {
  if (Array.isArray(schema.anyOf)) return validFor(schema.anyOf[0] as Schema);
  if (Array.isArray(schema.enum)) return schema.enum[0];
  switch (schema.type) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const required = new Set((schema.required ?? []) as string[]);
      return Object.fromEntries(Object.entries(properties).filter(([name]) => required.has(name)).map(([name, s]) => [name, validFor(s)]));
    }
    case 'array': return [];
    case 'integer': case 'number': return Number(schema.minimum ?? 1);
    case 'boolean': return false;
    case 'string': return typeof schema.pattern === 'string' ? 'fuzz-x' : 'fuzz';
    default: return {};
  }
}

/** Paths to every value inside `value` (objects and arrays), the root first. */
function pathsIn(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (out.length > 200 || typeof value !== 'object' || value === null) return out;
  for (const [key, child] of Object.entries(value)) pathsIn(child, [...at, Array.isArray(value) ? Number(key) : key], out);
  return out;
}

/** `value` with the node at `path` replaced by `replace(old)`, or removed when it returns undefined. */
function changedAt(value: unknown, path: (string | number)[], replace: (old: unknown) => unknown): unknown {
  if (path.length === 0) return replace(value);
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  const next = replace(parent[last]);
  if (next === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else {
    parent[last] = next;
  }
  return copy;
}

/** One defect in a JSON body: a node replaced, removed, or given an unknown sibling. */
function spoiltBody(random: Random, base: unknown): { body: unknown; defect: string } {
  const path = random.pick(pathsIn(base));
  const where = path.length === 0 ? 'body' : `body.${path.join('.')}`;
  switch (random.int(4)) {
    case 0: {
      const wrong = random.pick(WRONG_VALUES);
      return { body: changedAt(base, path, () => wrong), defect: `${where} = ${JSON.stringify(wrong)?.slice(0, 60)}` };
    }
    case 1:
      return path.length === 0 ? { body: [base], defect: 'body wrapped in an array' } : { body: changedAt(base, path, () => undefined), defect: `${where} removed` };
    case 2:
      return { body: changedAt(base, path, (old) => (typeof old === 'object' && old !== null && !Array.isArray(old) ? { ...old, unknownField: 1 } : { unknownField: old })), defect: `${where} gets an unknown field` };
    default:
      return { body: changedAt(base, path, () => nestedValue(70 + random.int(30))), defect: `${where} nested 70+ levels` };
  }
}

/** A whole body that is not what any route takes. */
function wrongBody(random: Random): { payload: string; contentType: string; defect: string } {
  const cases: [string, string, string][] = [
    ['not JSON', '{"name": ', 'application/json'],
    ['empty', '', 'application/json'],
    // Deep enough to overflow any recursive validator's stack (about 10,000 frames here).
    ['nested 30,000 levels', nestedJson(30_000), 'application/json'],
    ['an array of 20,000 nulls', `[${'null,'.repeat(19_999)}null]`, 'application/json'],
    ['a JSON string', '"x"', 'application/json'],
    ['a JSON number too large', '1e999999', 'application/json'],
    ['duplicate keys', '{"name":"a","name":{"x":1}}', 'application/json'],
    ['a __proto__ key', '{"__proto__":{"admin":true}}', 'application/json'],
    ['a constructor.prototype key', '{"constructor":{"prototype":{"admin":true}}}', 'application/json'],
    ['invalid UTF-8', '{"name":"\xff\xfe"}', 'application/json'],
    ['plain text', 'name=x', 'text/plain'],
    ['a form', 'name=x&admin=true', 'application/x-www-form-urlencoded'],
    ['an unknown media type', '{}', 'application/vnd.paved+json'],
    ['a malformed media type', '{}', 'application/json; charset'],
    ['no media type', '{}', ''],
  ];
  const [defect, payload, contentType] = random.pick(cases);
  return { payload, contentType, defect: `body ${defect}` };
}

/**
 * One request to `op` with one defect. `valid` names a seeded thing for each path parameter;
 * `examples` gives a realistic body for routes whose schema is open (a manifest, a Score file).
 * Methods that change things get only defects the route must refuse, so the seeded state stays.
 */
export function fuzzRequest(random: Random, op: Operation, valid: Record<string, string>, examples: Record<string, unknown>): FuzzRequest {
  const params = Object.fromEntries(op.pathParams.map((p) => [String(p.name), encodeURIComponent(valid[String(p.name)] ?? 'fuzz-x')]));
  const query: string[] = [];
  const headers: Record<string, string> = {};
  const base = examples[op.id] ?? (op.body ? validFor(op.body) : undefined);
  let payload = base === undefined ? undefined : JSON.stringify(base);
  let defect: string;

  const kinds = ['path', 'query', 'unknown-query', 'body', 'whole-body', 'headers'].filter((kind) => {
    if (kind === 'path') return op.pathParams.length > 0;
    if (kind === 'query') return op.queryParams.length > 0;
    if (kind === 'unknown-query') return op.method === 'GET' && (op.queryParams.length > 0 || !op.streams);
    if (kind === 'body' || kind === 'whole-body') return op.body !== undefined;
    return op.method === 'GET' && !op.streams;
  });
  const kind = kinds.length > 0 ? random.pick(kinds) : 'unknown-query';
  switch (kind) {
    case 'path': {
      const param = String(random.pick(op.pathParams).name);
      params[param] = random.pick(WRONG_SEGMENTS);
      defect = `path ${param} = ${params[param]!.slice(0, 60)}`;
      break;
    }
    case 'query': {
      // On a stream, `grep` takes almost any text: a "wrong" one could open a stream that never ends.
      const { name, schema } = random.pick(op.streams ? op.queryParams.filter((p) => p.name !== 'grep') : op.queryParams);
      const value = random.pick(wrongQueryValues(schema));
      // Values are already percent-encoded where they mean to be; a repeated parameter is an array.
      query.push(random.int(5) === 0 ? `${name}=1&${name}=2` : `${name}=${value}`);
      defect = `query ${query[0]!.slice(0, 80)}`;
      break;
    }
    case 'unknown-query':
      query.push(random.pick(['unknownParam=1', 'token=pvd_secret', '__proto__[admin]=1', 'a[b][c]=1', `x=${'y'.repeat(5_000)}`]));
      defect = `query ${query[0]!.slice(0, 40)}`;
      break;
    case 'body': {
      const spoilt = spoiltBody(random, base);
      payload = JSON.stringify(spoilt.body);
      defect = spoilt.defect;
      break;
    }
    case 'whole-body': {
      const wrong = wrongBody(random);
      payload = wrong.payload;
      if (wrong.contentType !== '') headers['content-type'] = wrong.contentType;
      defect = wrong.defect;
      break;
    }
    default:
      Object.assign(headers, random.pick(ODD_HEADERS));
      defect = `headers ${JSON.stringify(headers).slice(0, 80)}`;
  }
  if (payload !== undefined && headers['content-type'] === undefined && kind !== 'whole-body') headers['content-type'] = 'application/json';
  const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => params[name]!);
  return { method: op.method, url: query.length > 0 ? `${path}?${query.join('&')}` : path, headers, ...(payload === undefined ? {} : { payload }), defect };
}
