import type { Part } from './parts';

// The adversarial values of a request's parts other than its body.

/** Path parameter values that have broken decoders and key limits. */
export const PATH_VALUES: readonly string[] = [
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
export const QUERY_VALUES: readonly string[] = [
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
export const JSON_MEDIA_TYPES: readonly string[] = [
  'application/JSON',
  'application/json; charset=utf-8',
  'Application/Json;Charset=UTF-8',
];
/** Not JSON: a route with a JSON model refuses these. */
export const OTHER_MEDIA_TYPES: readonly string[] = [
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  'text/json',
  'application/vnd.api+json',
  '*/*',
];
/** Authorization values other than a valid token (see the test's context for each). */
export const AUTH_LABELS: readonly string[] = [
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
export const KEY_LABELS: readonly string[] = ['none', 'garbage', 'truncated', 'case-changed', 'twice'];
/** Idempotency-Key values outside its grammar (two values: the header twice). */
export const IDEMPOTENCY_KEYS: readonly (string | string[])[] = [
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
export const METHODS: readonly string[] = [
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
/** Changes to the structure of a path: a dot segment, a trailing or doubled slash, an extra segment. */
export const STRUCTURES: readonly Part<(path: string) => string>[] = [
  { value: (p) => p.replace(/^\/([^/]+)/, '/$1/.'), tag: 'path:dot-segment' },
  { value: (p) => p.replace(/^\/([^/]+)/, '/$1/x/..'), tag: 'path:dot-dot-segment' },
  { value: (p) => `${p}/`, tag: 'path:trailing-slash' },
  { value: (p) => p.replace(/\//g, '//'), tag: 'path:double-slashes' },
  { value: (p) => `${p}/extra`, tag: 'path:extra-segment' },
  { value: (p) => `/${p}`, tag: 'path:leading-double-slash' },
];

/** Headers no server may take as they are: over the size limit, or two framings of one body. */
export const UNACCEPTABLE_HEADERS: readonly Part<Record<string, string>>[] = [
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
