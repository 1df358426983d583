import fc from 'fast-check';
import { bodies } from './bodies';
import type { BodyPart, FuzzContext, Part, Parts, Reason } from './parts';
import {
  AUTH_LABELS,
  IDEMPOTENCY_KEYS,
  JSON_MEDIA_TYPES,
  KEY_LABELS,
  METHODS,
  OTHER_MEDIA_TYPES,
  PATH_VALUES,
  QUERY_VALUES,
  STRUCTURES,
  UNACCEPTABLE_HEADERS,
} from './request-values';
import { GATEWAY_BODY_LIMIT, type FuzzRoute } from './routes';

// Requests from parts: random and normal parts for a route, and the request they make with what the API
// contract expects of its answer.

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

/**
 * Authorization labels that need not be refused: valid tokens, also with the scheme in another case or
 * more than one space before the token (RFC 9110 §11.1, RFC 6750 §2.1).
 */
const GOOD_AUTH = new Set(['valid', 'other-subject', 'lowercase-scheme', 'double-space']);
const GOOD_KEYS = new Set(['partner', 'free']);

const encode = (s: string) => encodeURIComponent(s);

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
