import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import fc from 'fast-check';

// The fuzz suite's building blocks: the routes of a synthesized REST API, requests made from parts (each
// part normal or adversarial, each adversarial part tagged and, where the API contract says so, a reason
// the request must be refused), raw HTTP, the checks every answer must pass, and a log of distinct defects.

/** A JSON Schema (draft-04) as the gateway models carry it: the subset the generated models use. */
export interface JsonSchema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly enum?: readonly Json[];
  readonly pattern?: string;
  readonly format?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
}

/** A method of the REST API, as the template declares it. */
export interface FuzzRoute {
  /** `POST /v1/accounts/{accountId}/deposits` */
  readonly key: string;
  readonly method: string;
  readonly path: string;
  readonly segments: readonly string[];
  /** No authorizer (`AuthorizationType: NONE`). */
  readonly open: boolean;
  readonly apiKeyRequired: boolean;
  readonly integration: 'lambda' | 'sqs' | 'kinesis' | 'other';
  /** The `application/json` request model. */
  readonly model?: JsonSchema;
  /** The largest body the route's backend takes: the function's `MAX_BODY_BYTES`, SQS's or Kinesis' limit. */
  readonly bodyLimit?: number;
  readonly scopes: readonly string[];
}

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

const SQS_MESSAGE_LIMIT = 262_144;
const KINESIS_RECORD_LIMIT = 1_048_576;
/** API Gateway's payload limit. */
export const GATEWAY_BODY_LIMIT = 10 * 1024 * 1024;

/** Every method of the template's REST API (CORS preflights aside), with what the fuzzer needs to know. */
export function routesOf(template: { Resources?: Record<string, CfnResource> }): FuzzRoute[] {
  const resources = template.Resources ?? {};
  const props = (id: string) => resources[id]?.Properties ?? {};
  const refOf = (value: unknown) => (value as { Ref?: string } | undefined)?.Ref;
  const pathOf = (resourceId: unknown): string[] => {
    const id = refOf(resourceId);
    if (id === undefined) return []; // Fn::GetAtt RootResourceId
    const p = props(id);
    return [...pathOf(p.ParentId), String(p.PathPart)];
  };
  const routeScopes: Record<string, string[]> = {};
  for (const r of Object.values(resources)) {
    const env = (r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
    if (r.Type === 'AWS::Lambda::Function' && typeof env?.ROUTE_SCOPES === 'string') {
      Object.assign(routeScopes, JSON.parse(env.ROUTE_SCOPES) as Record<string, string[]>);
    }
  }
  const routes: FuzzRoute[] = [];
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::ApiGateway::Method') continue;
    const p = r.Properties ?? {};
    const method = String(p.HttpMethod);
    if (method === 'OPTIONS') continue;
    const segments = pathOf(p.ResourceId);
    const path = `/${segments.join('/')}`;
    const integration = (p.Integration ?? {}) as { Type?: string; Uri?: unknown };
    const uri = JSON.stringify(integration.Uri ?? '');
    const modelId = refOf((p.RequestModels as Record<string, unknown> | undefined)?.['application/json']);
    const model = modelId === undefined ? undefined : (props(modelId).Schema as JsonSchema | undefined);
    let kind: FuzzRoute['integration'] = 'other';
    let bodyLimit: number | undefined;
    if (integration.Type === 'AWS_PROXY') {
      kind = 'lambda';
      const fn = /"Fn::GetAtt":\["([^"]+)","Arn"\]/.exec(uri)?.[1] ?? '';
      const env = (props(fn).Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
      bodyLimit = env?.MAX_BODY_BYTES === undefined ? undefined : Number(env.MAX_BODY_BYTES);
    } else if (integration.Type === 'AWS' && uri.includes(':sqs:')) {
      kind = 'sqs';
      const queue = /"Fn::GetAtt":\["([^"]+)","QueueName"\]/.exec(uri)?.[1] ?? '';
      bodyLimit = Number(props(queue).MaximumMessageSize ?? SQS_MESSAGE_LIMIT);
    } else if (integration.Type === 'AWS' && uri.includes(':kinesis:')) {
      kind = 'kinesis';
      bodyLimit = KINESIS_RECORD_LIMIT;
    }
    const key = `${method} ${path}`;
    routes.push({
      key,
      method,
      path,
      segments,
      open: p.AuthorizationType === 'NONE',
      apiKeyRequired: p.ApiKeyRequired === true,
      integration: kind,
      model,
      bodyLimit,
      scopes: routeScopes[key] ?? [],
    });
  }
  return routes.sort((a, b) => a.key.localeCompare(b.key));
}

// ---------------------------------------------------------------------------------------------------------
// JSON with raw tokens (`1e309` as written, deep nesting) and values generated from a model

/** JSON text written as is: numbers JSON can write but a double cannot hold, deep nesting. */
export class Raw {
  constructor(public readonly text: string) {}
}
/** A JSON value, possibly with raw parts. */
export type Json = null | boolean | number | string | Raw | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: Json | undefined): v is JsonObject =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Raw);

/** JSON text; strings go through JSON.stringify, which writes a lone surrogate as a `\ud800` escape. */
export function jsonText(v: Json): string {
  if (v instanceof Raw) return v.text;
  if (Array.isArray(v)) return `[${v.map(jsonText).join(',')}]`;
  if (isObject(v)) {
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** A copy of `o` with `key` as an own member (also `__proto__`). */
function withKey(o: JsonObject, key: string, value: Json): JsonObject {
  const out: JsonObject = {};
  const define = (k: string, v: Json) => {
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  };
  for (const [k, v] of Object.entries(o)) if (k !== key) define(k, v);
  define(key, value);
  return out;
}

type JsonPath = readonly (string | number)[];

function updateAt(v: Json, path: JsonPath, f: (old: Json) => Json | undefined): Json {
  const [head, ...rest] = path;
  if (head === undefined) return f(v) ?? null;
  if (Array.isArray(v) && typeof head === 'number') {
    return v.map((x, i) => (i === head ? updateAt(x, rest, f) : x));
  }
  if (isObject(v) && typeof head === 'string') {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) {
      const next = k === head ? (rest.length === 0 ? f(x) : updateAt(x, rest, f)) : x;
      if (next !== undefined) {
        Object.defineProperty(out, k, { value: next, enumerable: true, writable: true, configurable: true });
      }
    }
    return out;
  }
  return v;
}

/** Values that satisfy `schema`. */
export function valuesOf(schema: JsonSchema): fc.Arbitrary<Json> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'string':
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
      return fc.string({
        minLength: schema.minLength ?? 0,
        maxLength: Math.max(schema.minLength ?? 0, Math.min(schema.maxLength ?? 24, 24)),
      });
    case 'integer':
      return fc
        .bigInt({
          min: BigInt(Math.ceil(schema.minimum ?? -1e12)),
          max: BigInt(Math.floor(schema.maximum ?? 1e12)),
        })
        .map(Number);
    case 'number':
      return fc.double({
        min: schema.minimum ?? -1e12,
        max: schema.maximum ?? 1e12,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const min = schema.minItems ?? 0;
      return fc.array(valuesOf(schema.items ?? {}), {
        minLength: min,
        maxLength: Math.max(min, Math.min(schema.maxItems ?? 3, 3)),
      });
    }
    case 'object': {
      const properties = schema.properties ?? {};
      const known = fc.record(
        Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, valuesOf(s)])),
        { requiredKeys: [...(schema.required ?? [])] },
      ) as fc.Arbitrary<JsonObject>;
      if (schema.additionalProperties === false) return known;
      const extra = fc.dictionary(
        fc.string({ maxLength: 8 }).filter((k) => !(k in properties) && k !== '__proto__'),
        fc.jsonValue({ maxDepth: 1, depthSize: 'xsmall' }) as fc.Arbitrary<Json>,
        { maxKeys: 3 },
      );
      return fc.tuple(extra, known).map(([e, k]) => ({ ...e, ...k }));
    }
    default:
      return fc.jsonValue({ maxDepth: 2, depthSize: 'xsmall' }) as fc.Arbitrary<Json>;
  }
}

interface Site {
  readonly path: JsonPath;
  readonly schema: JsonSchema;
  readonly value: Json;
}

/** Every place of `v` that its schema constrains. */
function sitesOf(v: Json, schema: JsonSchema, path: JsonPath = []): Site[] {
  const out: Site[] = [{ path, schema, value: v }];
  if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      const s = schema.properties?.[k];
      if (s) out.push(...sitesOf(x, s, [...path, k]));
    }
  } else if (Array.isArray(v) && schema.items) {
    const items = schema.items;
    v.forEach((x, i) => out.push(...sitesOf(x, items, [...path, i])));
  }
  return out.filter((s) => s.schema.type !== undefined || s.schema.enum !== undefined);
}

// ---------------------------------------------------------------------------------------------------------
// Requests from parts

/** Why the API contract says a request must be refused with a 4xx. */
export interface Reason {
  readonly category: string;
  readonly detail: string;
}

/** One part of a request: its value, a tag when it is adversarial, and a reason when it must be refused. */
interface Part<T> {
  readonly value: T;
  readonly tag?: string;
  readonly refuse?: Reason;
}

/** A body: its bytes (none for no body), as a part. */
type BodyPart = Part<string | Buffer | undefined>;

/** A request as sent, with what the contract expects of its answer. */
export interface FuzzRequest {
  readonly method: string;
  /** Request target as written on the wire: path and query. */
  readonly target: string;
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly body?: string | Buffer;
  /** The adversarial features of the request. */
  readonly tags: readonly string[];
  /** The labels of the credentials (never the token itself, for reports). */
  readonly labels: string;
  /** Non-empty: the answer must be a 4xx. */
  readonly refuse: readonly Reason[];
  /** The media type is JSON: a 415 is wrong. */
  readonly jsonMediaType: boolean;
  /** The request reaches the route it was made for (no dot segments, no other method). */
  readonly onRoute: boolean;
}

/** What the generators need from the running app. */
export interface FuzzContext {
  /** Authorization header values by label; `lacks-scope` is per route. */
  readonly authorization: Readonly<Record<string, string | undefined>>;
  readonly lacksScope: Readonly<Record<string, string>>;
  /** x-api-key values by label (undefined: no header). */
  readonly apiKeys: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Values of existing resources, by path parameter name. */
  readonly fixtures: Readonly<Record<string, readonly string[]>>;
  /** Query parameters the routes read, by route key. */
  readonly knownQuery: Readonly<Record<string, readonly string[]>>;
  /** Every route, to tell another route on the same resource from no route. */
  readonly routeKeys: ReadonlySet<string>;
}

/**
 * Authorization labels that need not be refused: valid tokens, also with the scheme in another case or
 * more than one space before the token (RFC 9110 §11.1, RFC 6750 §2.1).
 */
const GOOD_AUTH = new Set(['valid', 'other-subject', 'lowercase-scheme', 'double-space']);
const GOOD_KEYS = new Set(['partner', 'free']);

/** Path parameter values that have broken decoders and key limits. */
const PATH_VALUES: readonly string[] = [
  '%zz',
  '%',
  '%C0%AF',
  '%ED%A0%80',
  '%E2%82',
  '%FF',
  '%00',
  '%2F',
  '%25',
  '%F0%9F%A6%84',
  'x'.repeat(2_100),
  '%E2%82%AC'.repeat(700),
  '\u00e9',
  '..',
  '.',
  '%2e%2e',
  '{orderId}',
  '__proto__',
  'constructor',
  'null',
  '-1',
  '1e309',
  '\'"<>',
];
/** Values of query parameters such as `asOf`. */
const QUERY_VALUES: readonly string[] = [
  '0',
  '-1',
  '1e309',
  '9007199254740993',
  '99999999999999999999',
  '00000000000000001',
  'x'.repeat(5_000),
  '',
  '1',
  '%zz',
  '%ED%A0%80',
  'NaN',
  'Infinity',
  '2026-11-25T10:00:00Z',
  '9999-12-31T23:59:59Z',
  '+275760-09-13T00:00:00.000Z',
  '1969-12-31T23:59:59Z',
  '2026-02-30T00:00:00Z',
  '2026-13-45T99:99:99Z',
  '0000-01-01T00:00:00Z',
];
/** JSON in other spellings: a 415 for these is wrong (media types are case-insensitive). */
const JSON_MEDIA_TYPES: readonly string[] = [
  'application/JSON',
  'application/json; charset=utf-8',
  'Application/Json;Charset=UTF-8',
];
/** Not JSON: a route with a JSON model refuses these. */
const OTHER_MEDIA_TYPES: readonly string[] = [
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  'text/json',
  'application/vnd.api+json',
  '*/*',
];
/** Authorization values other than a valid token (see the test's context for each). */
const AUTH_LABELS: readonly string[] = [
  'no-scopes',
  'lacks-scope',
  'expired',
  'tampered',
  'lowercase-scheme',
  'no-scheme',
  'double-space',
  'empty',
  'scheme-only',
  'bearer x',
  'basic',
  'garbage',
  'long',
  'none',
];
/** x-api-key values other than a valid key. */
const KEY_LABELS: readonly string[] = ['none', 'garbage', 'truncated', 'case-changed', 'twice'];
/** Idempotency-Key values outside its grammar (two values: the header twice). */
const IDEMPOTENCY_KEYS: readonly (string | string[])[] = [
  '',
  ' ',
  'x'.repeat(129),
  'x'.repeat(4_000),
  '\u00e9',
  'a b',
  '../../x',
  '%00',
  ['a', 'b'],
];
/** Other methods: unknown to HTTP parsers (FOO, BREW), WebDAV, and the usual ones on another route. */
const METHODS: readonly string[] = [
  'FOO',
  'PROPFIND',
  'BREW',
  'PURGE',
  'TRACE',
  'OPTIONS',
  'HEAD',
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
];
const INVALID_JSON: readonly string[] = [
  '{',
  '{"a":',
  '{"a":1,}',
  "{'a':1}",
  'NaN',
  '{"a":NaN}',
  '{"a":Infinity}',
  '[1,2',
  '{"a":"\\x41"}',
  '{"a":"\t"}',
  '{"a" 1}',
  '{}}',
  '{"a":1}{"b":2}',
  '\u0000',
  'tru',
  '"unterminated',
  '{"a":01}',
  '{"a":+1}',
  '{"a":.5}',
  '{"a":"\\u12"}',
  '/* c */{}',
];
const NOT_OBJECTS: readonly string[] = ['null', '[]', '"text"', '1', 'true', '[{}]'];
const HUGE_NUMBERS: readonly string[] = ['1e309', '-1e309', `1${'0'.repeat(400)}`, '2e308'];
const RAW_NUMBERS: readonly string[] = ['9007199254740993', '-0', '1.0', '1E2', '0.1e-400', '1.5'];
const SURROGATES: readonly string[] = ['\ud800', 'a\udfffb', '\udc00\ud800'];
const DEPTHS: readonly number[] = [100, 1_000, 10_000, 40_000];
const nested = (depth: number): Json => (depth === 0 ? 1 : { a: nested(depth - 1) });
/** Members with valid JSON values at the edges of what stores hold. */
const EDGE_VALUES: readonly (readonly [string, Json])[] = [
  ['big', new Raw('1e200')],
  ['tiny', new Raw('5e-324')],
  ['unsafe-integer', new Raw('9007199254740993')],
  ['', 'empty member name'],
  ['nested-40', nested(40)],
  ['digits-40', new Raw('1234567890123456789012345678901234567890')],
];
const BAD_UTF8: readonly number[][] = [[0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff], [0xe2, 0x82], [0x80]];

const encode = (s: string) => encodeURIComponent(s);
const pick = <T>(list: readonly T[], n: number): T => list[n % list.length] as T;

/** The parts a request is made of. */
export interface Parts {
  readonly method: Part<string>;
  readonly segments: readonly Part<string>[];
  /** A dot segment, a trailing or doubled slash, an extra segment. */
  readonly structure: Part<((path: string) => string) | undefined>;
  readonly query: Part<string>;
  readonly auth: string;
  readonly key: string;
  readonly contentType: Part<string | undefined>;
  readonly idempotencyKey: Part<string | string[] | undefined>;
  readonly headers: Part<Readonly<Record<string, string>>>;
  readonly body: BodyPart;
}

/** A body that mutates a value valid for `model`, chosen by `n`; undefined when the kind does not apply. */
function mutatedBody(
  kind: string,
  model: JsonSchema,
  valid: Json,
  n: number,
  limit: number,
): BodyPart | undefined {
  const sites = sitesOf(valid, model);
  const at = <T>(list: readonly T[]) => (list.length === 0 ? undefined : pick(list, n));
  const text = (v: Json, tag: string, refuse?: Reason): BodyPart => ({ value: jsonText(v), tag, refuse });
  const objects = sites.filter((s) => isObject(s.value));
  const open = objects.filter((s) => s.schema.additionalProperties !== false);
  const addMember = (name: string, value: Json) => {
    const site = at(open) ?? at(objects);
    if (!site) return undefined;
    const closed = site.schema.additionalProperties === false;
    return {
      body: updateAt(valid, site.path, (o) => withKey(o as JsonObject, name, value)),
      closed,
      where: [...site.path, name].join('.'),
    };
  };
  const closedExtra = (where: string): Reason => ({
    category: 'unknown field on a closed schema',
    detail: where,
  });
  switch (kind) {
    case 'wrong-type': {
      const site = at(sites);
      if (!site) return undefined;
      const wrong: Record<string, Json[]> = {
        string: [0, true, null, [], {}],
        integer: ['1', 1.5, true, null, []],
        number: ['1', true, null, {}],
        object: [[], 'x', 0, null],
        array: [{}, 'x', null],
        boolean: ['true', 0, null],
      };
      const value = pick(wrong[site.schema.type ?? ''] ?? [0, null], Math.floor(n / 7));
      return text(
        updateAt(valid, site.path, () => value),
        'body:wrong-type',
        {
          category: 'wrong type for a field',
          detail: `${site.path.join('.') || '(body)'} = ${JSON.stringify(value)}`,
        },
      );
    }
    case 'out-of-range': {
      const options: { path: JsonPath; value: Json }[] = [];
      for (const s of sites) {
        const { schema } = s;
        if (schema.enum) options.push({ path: s.path, value: 'no-such-value' });
        // Past a bound by one, where a double can still tell the difference.
        if (schema.maximum !== undefined && schema.maximum + 1 > schema.maximum)
          options.push({ path: s.path, value: schema.maximum + 1 });
        if (schema.minimum !== undefined && schema.minimum - 1 < schema.minimum)
          options.push({ path: s.path, value: schema.minimum - 1 });
        if (schema.maxLength !== undefined)
          options.push({ path: s.path, value: 'x'.repeat(schema.maxLength + 1) });
        if (schema.pattern !== undefined) {
          const re = new RegExp(schema.pattern);
          const bad = ['', ' ', '\u00e9\u00e9\u00e9', '-'.repeat(70)].find((c) => !re.test(c));
          if (bad !== undefined) options.push({ path: s.path, value: bad });
        }
        if (schema.minItems !== undefined && schema.minItems > 0) options.push({ path: s.path, value: [] });
        if (schema.maxItems !== undefined && Array.isArray(s.value)) {
          const first = s.value[0] ?? null;
          options.push({ path: s.path, value: Array.from({ length: schema.maxItems + 1 }, () => first) });
        }
      }
      const option = at(options);
      if (!option) return undefined;
      return text(
        updateAt(valid, option.path, () => option.value),
        'body:out-of-range',
        {
          category: 'field out of range',
          detail: `${option.path.join('.')} = ${JSON.stringify(option.value).slice(0, 40)}`,
        },
      );
    }
    case 'missing-field': {
      const options = objects.flatMap((s) => (s.schema.required ?? []).map((k) => [...s.path, k]));
      const path = at(options);
      if (!path) return undefined;
      return text(
        updateAt(valid, path, () => undefined),
        'body:missing-field',
        {
          category: 'missing required field',
          detail: path.join('.'),
        },
      );
    }
    case 'extra-field': {
      const values: Json[] = [1, {}, { polluted: true }, { prototype: { polluted: true } }];
      const added = addMember(
        pick(['extra', '__proto__', 'constructor', '', 'toString'], n),
        pick(values, n),
      );
      if (!added) return undefined;
      return text(added.body, 'body:extra-field', added.closed ? closedExtra(added.where) : undefined);
    }
    case 'huge-number': {
      const raw = new Raw(pick(HUGE_NUMBERS, n));
      const numbers = sites.filter((s) => s.schema.type === 'number' || s.schema.type === 'integer');
      const site = at(numbers);
      const added = site ? undefined : addMember('n', raw);
      const body = site ? updateAt(valid, site.path, () => raw) : added?.body;
      if (body === undefined) return undefined;
      // A typed number must be refused. A member the schema leaves open (a webhook's own fields) is the
      // provider's, carried verbatim: either answer is within the contract, and the inbox check then
      // demands that an accepted one is recorded.
      const refuse = site
        ? { category: 'number beyond the double range', detail: raw.text.slice(0, 12) }
        : added?.closed
          ? closedExtra(added.where)
          : undefined;
      return text(body, `body:${raw.text.slice(0, 8)}`, refuse);
    }
    case 'edge-value': {
      // JSON any consumer can parse, at the edges of what stores hold (DynamoDB: 38 digits, 1e-130 to
      // 1e126, no empty names, 32 levels of nesting).
      const [name, value] = pick(EDGE_VALUES, n);
      const added = addMember(name, value);
      if (!added) return undefined;
      return text(
        added.body,
        `body:edge ${name || '(empty name)'}`,
        added.closed ? closedExtra(added.where) : undefined,
      );
    }
    case 'raw-number': {
      const numbers = sites.filter((s) => s.schema.type === 'number' || s.schema.type === 'integer');
      const site = at(numbers);
      if (!site) return undefined;
      const raw = new Raw(pick(RAW_NUMBERS, n));
      return text(
        updateAt(valid, site.path, () => raw),
        `body:raw-number ${raw.text}`,
      );
    }
    case 'lone-surrogate': {
      const value = pick(SURROGATES, n);
      const strings = sites.filter((s) => typeof s.value === 'string');
      const site = n % 3 === 2 ? undefined : at(strings);
      const body = site ? updateAt(valid, site.path, () => value) : addMember(value, 'x')?.body;
      if (body === undefined) return undefined;
      return text(body, 'body:lone-surrogate', {
        category: 'lone UTF-16 surrogate',
        detail: site ? site.path.join('.') : 'a member name',
      });
    }
    case 'deep-nesting': {
      const depth = pick(DEPTHS, n);
      const raw = new Raw(
        n % 2 === 0
          ? `${'['.repeat(depth)}${']'.repeat(depth)}`
          : `${'{"a":'.repeat(depth)}0${'}'.repeat(depth)}`,
      );
      const added = addMember('deep', raw);
      if (!added) return undefined;
      return text(added.body, `body:depth-${depth}`, added.closed ? closedExtra(added.where) : undefined);
    }
    case 'padded-over-limit': {
      const t = jsonText(valid);
      return { value: t + ' '.repeat(Math.max(0, limit + 1 + (n % 1000) - t.length)), tag: 'body:padded' };
    }
    case 'long-string-over-limit': {
      const added = addMember('blob', 'x'.repeat(limit + 1 + (n % 1000)));
      if (!added) return undefined;
      return text(added.body, 'body:long-string', added.closed ? closedExtra(added.where) : undefined);
    }
    case 'invalid-json':
      return {
        value: pick(INVALID_JSON, n),
        tag: 'body:invalid-json',
        refuse: { category: 'invalid JSON', detail: pick(INVALID_JSON, n) },
      };
    case 'not-an-object':
      if (model.type !== 'object') return undefined;
      return {
        value: pick(NOT_OBJECTS, n),
        tag: 'body:not-an-object',
        refuse: { category: 'body is not an object', detail: pick(NOT_OBJECTS, n) },
      };
    case 'bom':
      return { value: `\ufeff${jsonText(valid)}`, tag: 'body:bom' };
    case 'invalid-utf8': {
      const marker = 'INVALID_UTF8_HERE';
      const strings = sites.filter((s) => typeof s.value === 'string');
      const site = at(strings);
      const body = site ? updateAt(valid, site.path, () => marker) : addMember('s', marker)?.body;
      if (body === undefined) return undefined;
      const [before = '', after = ''] = jsonText(body).split(marker);
      const bytes = Buffer.from(pick(BAD_UTF8, n));
      return {
        value: Buffer.concat([Buffer.from(before), bytes, Buffer.from(after)]),
        tag: 'body:invalid-utf8',
      };
    }
    case 'empty':
      return {
        value: undefined,
        tag: 'body:none',
        refuse:
          (model.required ?? []).length > 0 ? { category: 'missing body', detail: 'no body' } : undefined,
      };
    default:
      return undefined;
  }
}

/** The kinds of {@link mutatedBody}. */
const BODY_MUTATIONS: readonly string[] = [
  'wrong-type',
  'out-of-range',
  'missing-field',
  'extra-field',
  'huge-number',
  'raw-number',
  'edge-value',
  'lone-surrogate',
  'deep-nesting',
  'padded-over-limit',
  'long-string-over-limit',
  'invalid-json',
  'not-an-object',
  'bom',
  'invalid-utf8',
  'empty',
];

/** Random JSON and random values written as JSON. */
const randomBodies: fc.Arbitrary<BodyPart> = fc.oneof(
  fc.json({ maxDepth: 4 }).map((value) => ({ value, tag: 'body:random-json' })),
  fc
    .anything({ maxDepth: 3 })
    .map((v) => ({ value: (JSON.stringify(v) as string | undefined) ?? 'null', tag: 'body:anything' })),
);

function bodies(route: FuzzRoute): fc.Arbitrary<BodyPart> {
  const { model } = route;
  if (!model) {
    return fc.oneof(
      { arbitrary: fc.constant<BodyPart>({ value: undefined }), weight: 12 },
      { arbitrary: randomBodies, weight: 2 },
      {
        arbitrary: fc.constantFrom(...INVALID_JSON).map((value) => ({ value, tag: 'body:invalid-json' })),
        weight: 1,
      },
    );
  }
  const valid = valuesOf(model);
  const limit = route.bodyLimit ?? GATEWAY_BODY_LIMIT;
  const mutated = fc
    .tuple(fc.constantFrom(...BODY_MUTATIONS), valid, fc.nat())
    .map(
      ([kind, v, n]) =>
        mutatedBody(kind, model, v, n, limit) ?? { value: jsonText(v), tag: `body:valid (no ${kind})` },
    );
  return fc.oneof(
    { arbitrary: valid.map((v) => ({ value: jsonText(v) })), weight: 8 },
    { arbitrary: mutated, weight: 8 },
    { arbitrary: randomBodies, weight: 2 },
  );
}

function segments(route: FuzzRoute, ctx: FuzzContext): fc.Arbitrary<Part<string>[]> {
  return fc.tuple(
    ...route.segments.map((segment): fc.Arbitrary<Part<string>> => {
      if (!segment.startsWith('{')) {
        return fc.oneof(
          { arbitrary: fc.constant({ value: segment }), weight: 30 },
          {
            arbitrary: fc.constantFrom(
              {
                value: segment.replace(/./g, (c) => `%${c.charCodeAt(0).toString(16)}`),
                tag: 'path:encoded-literal',
              },
              { value: segment.toUpperCase(), tag: 'path:upper-case-literal' },
              { value: `${segment}%00`, tag: 'path:nul-after-literal' },
            ),
            weight: 1,
          },
        );
      }
      const name = segment.slice(1, -1);
      const fixtures = ctx.fixtures[name] ?? [];
      return fc.oneof(
        ...(fixtures.length > 0
          ? [{ arbitrary: fc.constantFrom(...fixtures).map((value) => ({ value })), weight: 6 }]
          : []),
        { arbitrary: fc.uuid().map((value) => ({ value })), weight: 2 },
        {
          arbitrary: fc
            .string({ minLength: 1, maxLength: 40 })
            .map((s) => ({ value: encode(s), tag: 'path:random' })),
          weight: 2,
        },
        {
          arbitrary: fc
            .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
            .map((s) => ({ value: encode(s), tag: 'path:unicode' })),
          weight: 2,
        },
        {
          arbitrary: fc
            .constantFrom(...PATH_VALUES)
            .map((value) => ({ value, tag: `path:${value.slice(0, 12)}` })),
          weight: 4,
        },
        {
          arbitrary: fc
            .integer({ min: 513, max: 9_000 })
            .map((n) => ({ value: 'a'.repeat(n), tag: `path:long-${n > 2048 ? 'over-2048' : 'over-512'}` })),
          weight: 1,
        },
      );
    }),
  );
}

const STRUCTURES: readonly Part<(path: string) => string>[] = [
  { value: (p) => p.replace(/^\/([^/]+)/, '/$1/.'), tag: 'path:dot-segment' },
  { value: (p) => p.replace(/^\/([^/]+)/, '/$1/x/..'), tag: 'path:dot-dot-segment' },
  { value: (p) => `${p}/`, tag: 'path:trailing-slash' },
  { value: (p) => p.replace(/\//g, '//'), tag: 'path:double-slashes' },
  { value: (p) => `${p}/extra`, tag: 'path:extra-segment' },
  { value: (p) => `/${p}`, tag: 'path:leading-double-slash' },
];

function queries(route: FuzzRoute, ctx: FuzzContext): fc.Arbitrary<Part<string>> {
  const known = ctx.knownQuery[route.key] ?? [];
  const name = fc.oneof(
    ...(known.length > 0 ? [{ arbitrary: fc.constantFrom(...known), weight: 4 }] : []),
    {
      arbitrary: fc.constantFrom('asOf', 'limit', 'x', '', '%zz', '__proto__', 'constructor', 'a[b]'),
      weight: 1,
    },
    { arbitrary: fc.string({ maxLength: 10 }).map(encode), weight: 1 },
  );
  const value = fc.oneof(
    { arbitrary: fc.constantFrom(...QUERY_VALUES), weight: 3 },
    { arbitrary: fc.string({ maxLength: 20 }).map(encode), weight: 1 },
    { arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }).map(encode), weight: 1 },
  );
  return fc.oneof(
    { arbitrary: fc.constant({ value: '' }), weight: known.length > 0 ? 2 : 6 },
    {
      arbitrary: fc.array(fc.tuple(name, value), { minLength: 1, maxLength: 3 }).map((pairs) => {
        const value = pairs.map(([k, v]) => `${k}=${v}`).join('&');
        return { value, tag: `query:${value.slice(0, 30)}` };
      }),
      weight: 3,
    },
  );
}

/** Headers no server may take as they are: over the size limit, or two framings of one body. */
const UNACCEPTABLE_HEADERS: readonly Part<Record<string, string>>[] = [
  {
    value: { 'x-fuzz-pad': 'a'.repeat(17_000) },
    tag: 'header:over-16KiB',
    refuse: { category: 'headers over the size limit', detail: 'one header of 17,000 bytes' },
  },
  {
    value: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`x-fuzz-${i}`, 'b'.repeat(40)])),
    tag: 'header:300-headers',
    refuse: { category: 'headers over the size limit', detail: '300 headers' },
  },
  {
    value: { 'transfer-encoding': 'chunked', 'content-length': '5' },
    tag: 'header:two-framings',
    refuse: { category: 'Content-Length with Transfer-Encoding', detail: 'RFC 9112 §6.1' },
  },
];

/** The normal parts of a request for `route`: valid credentials, no query, the route's method and path. */
export function normalParts(route: FuzzRoute, ctx: FuzzContext, body: BodyPart): Parts {
  return {
    method: { value: route.method },
    segments: route.segments.map((s) =>
      s.startsWith('{') ? { value: ctx.fixtures[s.slice(1, -1)]?.[0] ?? 'x' } : { value: s },
    ),
    structure: { value: undefined },
    query: { value: '' },
    auth: 'valid',
    key: 'partner',
    contentType: { value: body.value === undefined ? undefined : 'application/json' },
    idempotencyKey: { value: undefined },
    headers: { value: {} },
    body,
  };
}

/** Random parts for `route`: each part normal most of the time, so that a case has one or two adversarial parts. */
export function partsFor(route: FuzzRoute, ctx: FuzzContext): fc.Arbitrary<Parts> {
  const rare = <T>(normal: fc.Arbitrary<T>, odd: fc.Arbitrary<T>, weight = 8) =>
    fc.oneof({ arbitrary: normal, weight }, { arbitrary: odd, weight: 1 });
  return fc.record({
    method: rare<Parts['method']>(
      fc.constant({ value: route.method }),
      fc.constantFrom(...METHODS).map((value) => ({ value, tag: `method:${value}` })),
      14,
    ),
    segments: segments(route, ctx),
    structure: rare<Parts['structure']>(
      fc.constant({ value: undefined }),
      fc.constantFrom(...STRUCTURES),
      12,
    ),
    query: queries(route, ctx),
    auth: rare(
      fc.constantFrom('valid', 'valid', 'valid', 'other-subject'),
      fc.constantFrom(...AUTH_LABELS),
      6,
    ),
    key: rare(fc.constantFrom('partner', 'partner', 'free'), fc.constantFrom(...KEY_LABELS), 10),
    contentType: rare<Parts['contentType']>(
      fc.constant({ value: 'application/json' }),
      fc.oneof(
        fc
          .constantFrom(...JSON_MEDIA_TYPES, undefined)
          .map((value) => ({ value, tag: `content-type:${value ?? 'none'}` })),
        fc.constantFrom(...OTHER_MEDIA_TYPES).map((value) => ({ value, tag: `content-type:${value}` })),
      ),
      3,
    ),
    idempotencyKey: fc.oneof(
      { arbitrary: fc.constant({ value: undefined }), weight: 6 },
      { arbitrary: fc.uuid().map((u) => ({ value: `k-${u}` })), weight: 2 },
      {
        arbitrary: fc
          .constantFrom(...IDEMPOTENCY_KEYS)
          .map((value) => ({ value, tag: `idempotency-key:${JSON.stringify(value).slice(0, 12)}` })),
        weight: 1,
      },
    ),
    headers: rare(
      fc.constant({ value: {} }),
      fc.oneof(
        fc.constantFrom(...UNACCEPTABLE_HEADERS),
        fc
          .dictionary(
            fc.stringMatching(/^x-[a-z0-9-]{1,16}$/),
            fc.string({ unit: 'grapheme-ascii', maxLength: 60 }).map((s) => s.trim()),
            { minKeys: 1, maxKeys: 4 },
          )
          .map((value) => ({ value, tag: 'header:random' })),
        fc.constantFrom(
          { value: { accept: 'application/xml' }, tag: 'header:accept-xml' },
          { value: { origin: 'https://evil.example' }, tag: 'header:origin' },
          { value: { 'x-forwarded-for': '%zz, ::1, <script>' }, tag: 'header:x-forwarded-for' },
          { value: { host: 'evil.example' }, tag: 'header:host' },
          // Names of Object.prototype members: header maps built from plain objects trip on them.
          { value: { constructor: 'x' }, tag: 'header:constructor' },
          { value: { ['__proto__']: 'x' }, tag: 'header:__proto__' },
          { value: { toString: 'x' }, tag: 'header:toString' },
        ),
      ),
      12,
    ),
    body: bodies(route),
  });
}

/** The request the parts make, with the contract's expectations of its answer. */
export function requestOf(route: FuzzRoute, ctx: FuzzContext, parts: Parts): FuzzRequest {
  const tags: string[] = [];
  const tag = (part: Part<unknown>) => {
    if (part.tag) tags.push(part.tag);
  };
  const basePath = `/${parts.segments.map((s) => s.value).join('/')}`;
  const path = parts.structure.value ? parts.structure.value(basePath) : basePath;
  // Dot segments (`..`, `%2e`) are resolved by URL parsers: such a path names another resource.
  const intact =
    parts.structure.value === undefined &&
    parts.segments.every((s, i) => {
      const template = route.segments[i] ?? '';
      return template.startsWith('{') ? !/^(\.|%2e){1,2}$/i.test(s.value) : s.value === template;
    });
  const sameMethod = parts.method.value === route.method;
  const onRoute = intact && sameMethod;
  for (const s of parts.segments) tag(s);
  for (const part of [parts.structure, parts.query, parts.method]) tag(part);
  if (parts.auth !== 'valid') tags.push(`auth:${parts.auth}`);
  if (!GOOD_KEYS.has(parts.key) || parts.key === 'free') tags.push(`api-key:${parts.key}`);
  for (const part of [parts.contentType, parts.idempotencyKey, parts.headers, parts.body]) tag(part);

  const authorization =
    parts.auth === 'lacks-scope' ? ctx.lacksScope[route.key] : ctx.authorization[parts.auth];
  const apiKey = ctx.apiKeys[parts.key];
  const headers: Record<string, string | string[]> = { ...parts.headers.value };
  if (authorization !== undefined) headers.authorization = authorization;
  if (apiKey !== undefined) headers['x-api-key'] = typeof apiKey === 'string' ? apiKey : [...apiKey];
  if (parts.contentType.value !== undefined) headers['content-type'] = parts.contentType.value;
  if (parts.idempotencyKey.value !== undefined) headers['idempotency-key'] = parts.idempotencyKey.value;
  const body = parts.body.value;
  const size = body === undefined ? 0 : Buffer.byteLength(body);
  const mediaType = parts.contentType.value;

  // In the order a gateway checks them; the first names the defect when a request is accepted anyway.
  const refuse: Reason[] = [];
  if (intact && !sameMethod && !ctx.routeKeys.has(`${parts.method.value} ${route.path}`)) {
    refuse.push({ category: 'method not on the resource', detail: parts.method.value });
  }
  if (parts.headers.refuse) refuse.push(parts.headers.refuse);
  // The rest holds only where the request reaches the route it was made for.
  if (onRoute) {
    if (!route.open && !GOOD_AUTH.has(parts.auth))
      refuse.push({ category: 'no valid bearer token', detail: parts.auth });
    if (route.apiKeyRequired && !GOOD_KEYS.has(parts.key))
      refuse.push({ category: 'no valid API key', detail: parts.key });
    if (route.model && OTHER_MEDIA_TYPES.includes(mediaType ?? ''))
      refuse.push({ category: 'non-JSON media type', detail: mediaType ?? '' });
    if (route.model && route.bodyLimit !== undefined && size > route.bodyLimit)
      refuse.push({ category: 'body over the route limit', detail: `${size} > ${route.bodyLimit} bytes` });
    if (parts.body.refuse) refuse.push(parts.body.refuse);
  }
  if (size > GATEWAY_BODY_LIMIT) refuse.push({ category: 'body over 10 MiB', detail: `${size} bytes` });
  return {
    method: parts.method.value,
    target: parts.query.value === '' ? path : `${path}?${parts.query.value}`,
    headers,
    body,
    tags,
    labels: `auth=${parts.auth} api-key=${parts.key}`,
    refuse,
    jsonMediaType:
      onRoute &&
      route.model !== undefined &&
      (mediaType === undefined || mediaType === 'application/json' || JSON_MEDIA_TYPES.includes(mediaType)),
    onRoute,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Raw HTTP

/** What came back: an answer, or no answer at all. */
export type Answer =
  | { readonly status: number; readonly headers: IncomingHttpHeaders; readonly body: string }
  | { readonly error: string };

/** Sends `r` as written, on a fresh connection (node:http: any method, any path bytes, raw headers). */
export function send(baseUrl: string, r: FuzzRequest, timeoutMs = 20_000): Promise<Answer> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    let settled = false;
    const done = (answer: Answer) => {
      if (!settled) {
        settled = true;
        resolve(answer);
      }
    };
    // node:http frames a body of GET, HEAD, DELETE, OPTIONS only when told its length.
    const length = r.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(r.body)) };
    const req = httpRequest({
      host: url.hostname,
      port: url.port,
      method: r.method,
      path: r.target,
      headers: { ...length, ...r.headers },
      agent: false,
      timeout: timeoutMs,
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        done({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
      res.on('error', (e: NodeJS.ErrnoException) => {
        done({ error: e.code ?? e.message });
      });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => {
      done({ error: e.code ?? e.message });
    });
    req.end(r.body);
  });
}

// ---------------------------------------------------------------------------------------------------------
// The checks

/** A way an answer breaks the API contract. */
export interface Violation {
  /** What went wrong, in words that group equal defects (no request specifics). */
  readonly kind: string;
  readonly detail?: string;
}

/** What an answer body must not show, by name. */
const LEAKS: readonly [string, RegExp][] = [
  ['a stack trace', / {4}at \S/],
  ['a file path', /\/work\b|\/tmp\b|\/home\b|node_modules|\.ts:|file:\/\//],
  [
    'an engine message',
    /ValidationException|ECONNREFUSED|ECONNRESET|ResourceNotFound|SerializationException|InvalidParameterValue|ConditionalCheckFailed|TransactionCanceled|ProvisionedThroughput|com\.amazon|java\.\w|kinesalite|fauxqs/,
  ],
  [
    'a JavaScript error',
    /TypeError|RangeError|ReferenceError|SyntaxError|Maximum call stack|Cannot read propert|is not a function|is not defined|\[object Object\]/,
  ],
];

const lenientDecode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** Everything of the request an answer may echo. */
function echoable(r: FuzzRequest): string {
  const values = Object.entries(r.headers)
    .filter(([k]) => k !== 'authorization')
    .flatMap(([, v]) => v);
  return [r.target, lenientDecode(r.target), ...values, r.body?.toString() ?? ''].join('\n');
}

const ERROR_SHAPE = (
  json: unknown,
): json is { error: { code: string; message: string; requestId: string } } => {
  const error = (json as { error?: Record<string, unknown> | null } | null)?.error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof error.code === 'string' &&
    error.code !== '' &&
    typeof error.message === 'string' &&
    error.message !== '' &&
    typeof error.requestId === 'string' &&
    error.requestId !== ''
  );
};

/** The error code of an answer, when it has one. */
function errorCode(answer: Answer): string {
  if ('error' in answer) return '';
  try {
    const json = JSON.parse(answer.body) as unknown;
    return ERROR_SHAPE(json) ? json.error.code : '';
  } catch {
    return '';
  }
}

/** What is wrong with `answer` to `r`, by the API contract. */
export function checkAnswer(r: FuzzRequest, answer: Answer): Violation[] {
  if ('error' in answer) {
    // Bytes after an answer that closes the connection: a body on an answer to HEAD, or a second answer.
    const hint = answer.error === 'HPE_CLOSED_CONNECTION' ? ': bytes after the answer' : '';
    return [{ kind: `no answer (${answer.error}${hint})` }];
  }
  const out: Violation[] = [];
  const { status } = answer;
  const code = errorCode(answer);
  if (status >= 500) out.push({ kind: `answered ${status}${code ? ` ${code}` : ''}` });
  if (status >= 400) {
    const type = answer.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(type)) {
      out.push({ kind: `${status} without Content-Type application/json`, detail: type || '(none)' });
    }
    if (r.method !== 'HEAD') {
      let json: unknown;
      try {
        json = JSON.parse(answer.body);
      } catch {
        json = undefined;
      }
      if (!ERROR_SHAPE(json)) {
        out.push({
          kind: `${status} body is not {"error":{code,message,requestId}}`,
          detail: answer.body.slice(0, 80) || '(empty)',
        });
      } else {
        const header = answer.headers['x-amzn-requestid'];
        if (typeof header === 'string' && header !== json.error.requestId) {
          out.push({ kind: `${status} requestId differs from x-amzn-RequestId` });
        }
      }
    }
  }
  const echo = echoable(r);
  for (const [name, pattern] of LEAKS) {
    const found = pattern.exec(answer.body)?.[0];
    if (found !== undefined && !echo.includes(found)) out.push({ kind: `body shows ${name}`, detail: found });
  }
  if (status < 400 && r.refuse.length > 0) {
    const [first] = r.refuse;
    out.push({
      kind: `accepted (${status}) although ${first?.category ?? ''}`,
      detail: r.refuse.map((x) => x.detail).join('; '),
    });
  }
  if (status === 415 && r.jsonMediaType) {
    out.push({ kind: '415 for a JSON media type', detail: String(r.headers['content-type'] ?? '(none)') });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The defect log

interface Example {
  readonly request: FuzzRequest;
  readonly answer: Answer;
  readonly detail?: string;
  readonly weight: number;
}

const bytesOf = (r: FuzzRequest) =>
  r.target.length + (r.body === undefined ? 0 : Buffer.byteLength(r.body)) + JSON.stringify(r.headers).length;

/** The distinct defects of a run, each with its count and its simplest example (fewest tags, then fewest bytes). */
export class DefectLog {
  private readonly defects = new Map<
    string,
    { count: number; example: Example; tags: Map<string, number> }
  >();
  public cases = 0;

  /** Logs what is wrong with one case. */
  public add(route: string, request: FuzzRequest, answer: Answer, violations: readonly Violation[]): void {
    this.cases += 1;
    for (const v of violations) {
      const signature = `${route} | ${v.kind}`;
      const weight = request.tags.length * 1e8 + bytesOf(request);
      const known = this.defects.get(signature);
      const example = { request, answer, detail: v.detail, weight };
      const entry = known ?? { count: 0, example, tags: new Map<string, number>() };
      entry.count += 1;
      if (weight < entry.example.weight) entry.example = example;
      for (const t of request.tags) entry.tags.set(t, (entry.tags.get(t) ?? 0) + 1);
      this.defects.set(signature, entry);
    }
  }

  /** One line block per distinct defect. */
  public report(): string[] {
    return [...this.defects.entries()].map(([signature, { count, example, tags }]) => {
      const { request: r, answer: a } = example;
      const body =
        r.body === undefined ? '(none)' : `(${Buffer.byteLength(r.body)} B) ${excerpt(r.body.toString())}`;
      const answer =
        'error' in a
          ? `no answer: ${a.error}`
          : `${a.status} ${a.headers['content-type'] ?? '(no content-type)'} ${excerpt(a.body)}`;
      const headers = Object.entries(r.headers)
        .filter(([k]) => k !== 'authorization' && k !== 'x-api-key')
        .map(([k, v]) => `${k}: ${excerpt(String(v), 40)}`)
        .join(', ');
      return [
        `${signature}  [${count}×]`,
        `  request: ${r.method} ${excerpt(r.target, 160)}  {${r.labels}${headers ? `, ${headers}` : ''}}`,
        `  body:    ${body}`,
        `  tags:    ${r.tags.join(' ') || '(none)'}`,
        `  answer:  ${answer}`,
        ...(example.detail ? [`  detail:  ${excerpt(example.detail, 200)}`] : []),
        // Which adversarial parts the occurrences share tells one cause from several.
        `  seen with: ${[...tags.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 6)
          .map(([t, n]) => `${t} (${n})`)
          .join(', ')}`,
      ].join('\n');
    });
  }
}

function excerpt(s: string, max = 300): string {
  const flat = s.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max)}… (${s.length} chars)` : flat;
}

/** Baseline value for each mutation kind's choice, so the baseline hits the cases the contract names. */
const BASELINE_CHOICE: Readonly<Record<string, number>> = { 'wrong-type': 1, 'deep-nesting': 2 };

/**
 * The cases every route gets whatever the seed: each adversarial value of the lists above in an otherwise
 * normal request (path parameters, the route's query parameters, media types, credentials, Idempotency-Key,
 * an oversize header, unknown methods, and each body mutation of a valid body).
 */
export function baselineParts(route: FuzzRoute, ctx: FuzzContext, seed: number): Parts[] {
  // The shortest of a few valid values, so that a baseline case differs from it in its mutation only.
  const valid = route.model
    ? fc
        .sample(valuesOf(route.model), { numRuns: 20, seed })
        .reduce((a, b) => (jsonText(b).length < jsonText(a).length ? b : a))
    : undefined;
  // An `id` names a message for its consumer's idempotency: each baseline body gets its own, so that
  // none is taken for a repeat of another.
  const id = isObject(valid) && typeof valid.id === 'string' ? JSON.stringify(valid.id) : undefined;
  const ownId = (body: BodyPart, i: number): BodyPart =>
    id === undefined || typeof body.value !== 'string'
      ? body
      : { ...body, value: body.value.replace(`"id":${id}`, () => `"id":${id.slice(0, -1)}~${i}"`) };
  const normal = normalParts(
    route,
    ctx,
    valid === undefined ? { value: undefined } : { value: jsonText(valid) },
  );
  const out: Parts[] = [];
  const param = route.segments.findIndex((s) => s.startsWith('{'));
  if (param >= 0) {
    // Every fixture (a failed order shows its failure), then each adversarial value.
    const name = route.segments[param]?.slice(1, -1) ?? '';
    for (const value of (ctx.fixtures[name] ?? []).slice(1)) {
      out.push({ ...normal, segments: normal.segments.map((s, i) => (i === param ? { value } : s)) });
    }
    for (const value of PATH_VALUES) {
      const segments = normal.segments.map((s, i) =>
        i === param ? { value, tag: `path:${value.slice(0, 12)}` } : s,
      );
      out.push({ ...normal, segments });
    }
  }
  const known = ctx.knownQuery[route.key] ?? [];
  const queries =
    known.length > 0
      ? known.flatMap((k) => [...QUERY_VALUES.map((v) => `${k}=${v}`), `${k}=1&${k}=yesterday`])
      : ['asOf=1e309', `x=${'x'.repeat(5_000)}`, '%zz=%zz'];
  for (const value of queries) out.push({ ...normal, query: { value, tag: `query:${value.slice(0, 30)}` } });
  if (route.model) {
    for (const value of [...JSON_MEDIA_TYPES, undefined, ...OTHER_MEDIA_TYPES]) {
      out.push({ ...normal, contentType: { value, tag: `content-type:${value ?? 'none'}` } });
    }
  }
  for (const auth of ['bearer x', 'empty', 'garbage', 'none', 'no-scheme', 'expired', 'lacks-scope']) {
    out.push({ ...normal, auth });
  }
  out.push({ ...normal, key: 'none' });
  if (route.method !== 'GET') {
    for (const value of ['', 'x'.repeat(129), '\u00e9']) {
      out.push({
        ...normal,
        idempotencyKey: { value, tag: `idempotency-key:${JSON.stringify(value).slice(0, 12)}` },
      });
    }
  }
  for (const headers of UNACCEPTABLE_HEADERS) out.push({ ...normal, headers });
  for (const value of ['FOO', 'PROPFIND']) out.push({ ...normal, method: { value, tag: `method:${value}` } });
  // A HEAD that the parser refuses: its answer has no body.
  out.push({
    ...normal,
    method: { value: 'HEAD', tag: 'method:HEAD' },
    headers: UNACCEPTABLE_HEADERS[0] ?? normal.headers,
  });
  if (route.model && valid !== undefined) {
    const edges = EDGE_VALUES.map((_, n) => ['edge-value', n] as const).slice(1);
    for (const [kind, n] of [...BODY_MUTATIONS.map((k) => [k, BASELINE_CHOICE[k] ?? 0] as const), ...edges]) {
      const body = mutatedBody(kind, route.model, valid, n, route.bodyLimit ?? GATEWAY_BODY_LIMIT);
      // Each edge value only where the model lets it in; on a closed model one refusal is enough.
      if (!body || (kind === 'edge-value' && n > 0 && body.refuse)) continue;
      out.push({
        ...normal,
        body: ownId(body, out.length),
        contentType: body.value === undefined ? { value: undefined } : normal.contentType,
      });
    }
  }
  return out;
}
