import fc from 'fast-check';
import {
  isObject,
  jsonText,
  Raw,
  updateAt,
  withKey,
  type Json,
  type JsonObject,
  type JsonPath,
} from './json';
import type { BodyPart, Reason } from './parts';
import { GATEWAY_BODY_LIMIT, type FuzzRoute } from './routes';
import { sitesOf, valuesOf, type JsonSchema } from './schema';

// Request bodies: valid values of the route's model, mutations of them, random JSON.

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
export const EDGE_VALUES: readonly (readonly [string, Json])[] = [
  ['big', new Raw('1e200')],
  ['tiny', new Raw('5e-324')],
  ['unsafe-integer', new Raw('9007199254740993')],
  ['', 'empty member name'],
  ['nested-40', nested(40)],
  ['digits-40', new Raw('1234567890123456789012345678901234567890')],
];
const BAD_UTF8: readonly number[][] = [[0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff], [0xe2, 0x82], [0x80]];

const pick = <T>(list: readonly T[], n: number): T => list[n % list.length] as T;

/** A body that mutates a value valid for `model`, chosen by `n`; undefined when the kind does not apply. */
export function mutatedBody(
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
      const added = site ? undefined : addMember(value, 'x');
      const body = site ? updateAt(valid, site.path, () => value) : added?.body;
      if (body === undefined) return undefined;
      // A typed string, or a member name where the schema is closed, must be refused. A member the schema
      // leaves open (a webhook's own fields, carried verbatim to the inbox) may be accepted, as with huge
      // numbers; the inbox check then demands that an accepted one is recorded.
      const refuse = site
        ? { category: 'lone UTF-16 surrogate', detail: site.path.join('.') }
        : added?.closed
          ? { category: 'lone UTF-16 surrogate', detail: 'a member name' }
          : undefined;
      return text(body, 'body:lone-surrogate', refuse);
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
export const BODY_MUTATIONS: readonly string[] = [
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

/** Bodies for `route`: without a model mostly none; with one valid, mutated and random ones. */
export function bodies(route: FuzzRoute): fc.Arbitrary<BodyPart> {
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
