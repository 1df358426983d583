import { describe, expect, it } from 'vitest';
import { EventPatternError, matchesPattern, parsePattern } from '../../../src/services/events/pattern.js';

/** An event as EventBridge delivers it, with the detail a test needs. */
function event(detail: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  return {
    version: '0',
    id: '7bf73129-1428-4cd3-a780-95db273d1602',
    'detail-type': 'Order Placed',
    source: 'com.example.orders',
    account: '000000000000',
    time: '2026-12-02T10:15:00Z',
    region: 'us-east-1',
    resources: ['arn:aws:s3:::orders-bucket'],
    detail,
    ...overrides,
  };
}

const order = event({
  state: 'running',
  region: 'us-west-2',
  fileName: 'Invoice.PNG',
  path: '/srv/lib/app.js',
  total: 250,
  count: 3,
  tags: ['priority', 'gift'],
  items: [
    { sku: 'MUG', qty: 2 },
    { sku: 'TEE', qty: 1 },
  ],
  customer: { tier: 'gold', address: { country: 'NZ' } },
  sourceIp: '10.0.0.17',
  ipv6: '2001:db8::1',
  note: '',
  nothing: null,
});

/** Whether `pattern` (validated as PutRule would) matches the order event. */
const matches = (pattern: Record<string, unknown>) => matchesPattern(parsePattern(pattern), order);

describe('event patterns: exact values and structure', () => {
  it.each<[string, Record<string, unknown>, boolean]>([
    ['an exact top-level value', { source: ['com.example.orders'] }, true],
    ['another top-level value', { source: ['com.example.refunds'] }, false],
    ['any of the listed values', { 'detail-type': ['Refund', 'Order Placed'] }, true],
    ['case-sensitive values', { 'detail-type': ['order placed'] }, false],
    ['a nested field', { detail: { customer: { tier: ['gold'] } } }, true],
    ['a deeper nested field', { detail: { customer: { address: { country: ['AU'] } } } }, false],
    ['every field (AND)', { source: ['com.example.orders'], detail: { state: ['stopped'] } }, false],
    ['a number', { detail: { total: [250] } }, true],
    ['another number', { detail: { total: [251] } }, false],
    ['null', { detail: { nothing: [null] } }, true],
    ['null against a value', { detail: { state: [null] } }, false],
    ['the empty string', { detail: { note: [''] } }, true],
    ['an element of an array value', { detail: { tags: ['gift'] } }, true],
    ['no element of an array value', { detail: { tags: ['fragile'] } }, false],
    ['the resources array', { resources: ['arn:aws:s3:::orders-bucket'] }, true],
    ['a field of an element of an array of objects', { detail: { items: { sku: ['TEE'] } } }, true],
    [
      'two fields of one element, not across elements',
      { detail: { items: { sku: ['TEE'], qty: [2] } } },
      false,
    ],
    ['a field the event lacks', { detail: { missing: ['x'] } }, false],
    ['a value pattern against an object', { detail: { customer: ['gold'] } }, false],
  ])('%s', (_name, pattern, expected) => {
    expect(matches(pattern)).toBe(expected);
  });
});

describe('event patterns: string operators', () => {
  it.each<[string, Record<string, unknown>, boolean]>([
    ['prefix', { detail: { region: [{ prefix: 'us-' }] } }, true],
    ['prefix, no match', { detail: { region: [{ prefix: 'eu-' }] } }, false],
    ['prefix is case-sensitive', { detail: { region: [{ prefix: 'US-' }] } }, false],
    ['prefix ignoring case', { detail: { region: [{ prefix: { 'equals-ignore-case': 'US-' } }] } }, true],
    ['suffix', { detail: { fileName: [{ suffix: '.PNG' }] } }, true],
    ['suffix, no match', { detail: { fileName: [{ suffix: '.png' }] } }, false],
    ['suffix ignoring case', { detail: { fileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, true],
    ['equals-ignore-case', { detail: { state: [{ 'equals-ignore-case': 'RUNNING' }] } }, true],
    ['equals-ignore-case, no match', { detail: { state: [{ 'equals-ignore-case': 'RUN' }] } }, false],
    ['wildcard', { detail: { path: [{ wildcard: '*/lib/*.js' }] } }, true],
    ['wildcard, no match', { detail: { path: [{ wildcard: '*/bin/*' }] } }, false],
    ['wildcard matches whole values', { detail: { path: [{ wildcard: 'lib/*' }] } }, false],
    ['a string operator never matches a number', { detail: { total: [{ prefix: '25' }] } }, false],
    ['prefix against an element of an array', { detail: { tags: [{ prefix: 'pri' }] } }, true],
  ])('%s', (_name, pattern, expected) => {
    expect(matches(pattern)).toBe(expected);
  });
});

describe('event patterns: anything-but', () => {
  it.each<[string, Record<string, unknown>, boolean]>([
    ['a string other than the value', { detail: { state: [{ 'anything-but': 'stopped' }] } }, true],
    ['the excluded string', { detail: { state: [{ 'anything-but': 'running' }] } }, false],
    ['a list of strings', { detail: { state: [{ 'anything-but': ['stopped', 'running'] }] } }, false],
    ['a number', { detail: { total: [{ 'anything-but': 100 }] } }, true],
    ['a list of numbers', { detail: { total: [{ 'anything-but': [100, 250] }] } }, false],
    ['a prefix', { detail: { region: [{ 'anything-but': { prefix: 'us-' } }] } }, false],
    ['another prefix', { detail: { region: [{ 'anything-but': { prefix: 'eu-' } }] } }, true],
    ['a suffix', { detail: { fileName: [{ 'anything-but': { suffix: '.PNG' } }] } }, false],
    [
      'a list of suffixes',
      { detail: { fileName: [{ 'anything-but': { suffix: ['.jpg', '.gif'] } }] } },
      true,
    ],
    [
      'ignoring case',
      { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['RUNNING', 'STOPPED'] } }] } },
      false,
    ],
    ['a wildcard', { detail: { path: [{ 'anything-but': { wildcard: '*/lib/*' } }] } }, false],
    ['a field the event lacks', { detail: { missing: [{ 'anything-but': 'x' }] } }, false],
    [
      'an array value with an element not excluded',
      { detail: { tags: [{ 'anything-but': ['priority'] }] } },
      true,
    ],
    [
      'an array value with every element excluded',
      { detail: { tags: [{ 'anything-but': ['priority', 'gift'] }] } },
      false,
    ],
  ])('%s', (_name, pattern, expected) => {
    expect(matches(pattern)).toBe(expected);
  });
});

describe('event patterns: numeric, exists, cidr and $or', () => {
  it.each<[string, Record<string, unknown>, boolean]>([
    ['a range', { detail: { total: [{ numeric: ['>', 0, '<=', 250] }] } }, true],
    ['outside a range', { detail: { total: [{ numeric: ['>', 0, '<', 250] }] } }, false],
    ['equal, in another notation', { detail: { total: [{ numeric: ['=', 2.5e2] }] } }, true],
    ['a lower bound', { detail: { count: [{ numeric: ['>=', 4] }] } }, false],
    ['numeric never matches a string', { detail: { state: [{ numeric: ['>', 0] }] } }, false],
    ['exists', { detail: { state: [{ exists: true }] } }, true],
    ['exists, for a null value', { detail: { nothing: [{ exists: true }] } }, true],
    ['exists, for a field the event lacks', { detail: { missing: [{ exists: true }] } }, false],
    ['exists false, for a field the event lacks', { detail: { missing: [{ exists: false }] } }, true],
    ['exists false, for a field the event has', { detail: { state: [{ exists: false }] } }, false],
    ['exists false below an absent object', { detail: { absent: { inner: [{ exists: false }] } } }, true],
    ['exists, for an object (not a leaf)', { detail: { customer: [{ exists: true }] } }, false],
    ['an IPv4 CIDR block', { detail: { sourceIp: [{ cidr: '10.0.0.0/24' }] } }, true],
    ['another IPv4 CIDR block', { detail: { sourceIp: [{ cidr: '10.0.1.0/24' }] } }, false],
    ['an IPv6 CIDR block', { detail: { ipv6: [{ cidr: '2001:db8::/32' }] } }, true],
    ['another IPv6 CIDR block', { detail: { ipv6: [{ cidr: '2001:db9::/32' }] } }, false],
    [
      '$or, one branch matching',
      { detail: { $or: [{ state: ['stopped'] }, { total: [{ numeric: ['>', 100] }] }] } },
      true,
    ],
    [
      '$or, no branch matching',
      { detail: { $or: [{ state: ['stopped'] }, { total: [{ numeric: ['>', 1000] }] }] } },
      false,
    ],
    [
      '$or at the top, with AND beside it',
      { source: ['com.example.orders'], $or: [{ 'detail-type': ['Refund'] }, { detail: { count: [3] } }] },
      true,
    ],
  ])('%s', (_name, pattern, expected) => {
    expect(matches(pattern)).toBe(expected);
  });

  it('takes a pattern as the JSON text a template may hold', () => {
    // GIVEN the pattern as text WHEN it is parsed THEN it matches as the object would
    expect(matchesPattern(parsePattern('{"source":["com.example.orders"]}'), order)).toBe(true);
  });
});

describe('event patterns refused as PutRule refuses them', () => {
  it.each<[string, unknown, RegExp]>([
    ['not JSON', '{source', /not JSON/],
    ['not an object', ['a'], /must be a JSON object/],
    ['empty', {}, /must not be empty/],
    [
      'a bare value instead of an array',
      { source: 'com.example' },
      /source: "com.example" must be an object or an array/,
    ],
    ['an empty array', { source: [] }, /source must not be an empty array/],
    ['an unknown operator', { detail: { a: [{ contains: 'x' }] } }, /detail.a: .*contains, which is not/],
    ['two operators in one object', { a: [{ prefix: 'x', suffix: 'y' }] }, /exactly one operator/],
    ['a numeric operator that is not one', { a: [{ numeric: ['!=', 1] }] }, /operator, number/],
    ['a numeric range upside down', { a: [{ numeric: ['<', 5, '>', 1] }] }, /lower bound/],
    ['exists that is not a boolean', { a: [{ exists: 'yes' }] }, /true or false/],
    ['consecutive wildcards', { a: [{ wildcard: 'a**b' }] }, /consecutive wildcards/],
    ['a cidr that is not one', { a: [{ cidr: '10.0.0.0' }] }, /CIDR/],
    ['anything-but of mixed types', { a: [{ 'anything-but': ['x', 1] }] }, /only strings or only numbers/],
    ['$or with one branch', { $or: [{ a: ['x'] }] }, /at least two/],
  ])('%s', (_name, pattern, message) => {
    // GIVEN a pattern AWS refuses WHEN it is parsed THEN the refusal says which field and why
    expect(() => parsePattern(pattern)).toThrow(EventPatternError);
    expect(() => parsePattern(pattern)).toThrow(message);
  });
});
