import { describe, expect, it } from 'vitest';
import {
  filterView,
  matches,
  matchesAny,
  parsePatterns,
  PatternError,
} from '../../../../src/services/lambda/event-source-mapping/event-filter.js';

describe('event filter patterns', () => {
  const record = {
    eventName: 'INSERT',
    body: { type: 'order', total: 250, region: 'eu-west-1', tags: ['a', 'b'], nothing: null },
  };

  it.each<[string, Record<string, unknown>, boolean]>([
    ['exact', { body: { type: ['order'] } }, true],
    ['exact, another value', { body: { type: ['refund'] } }, false],
    ['alternatives', { body: { type: ['refund', 'order'] } }, true],
    ['AND across keys', { eventName: ['INSERT'], body: { type: ['refund'] } }, false],
    ['null', { body: { nothing: [null] } }, true],
    ['prefix', { body: { region: [{ prefix: 'eu-' }] } }, true],
    ['suffix', { body: { region: [{ suffix: '-2' }] } }, false],
    ['anything-but', { body: { type: [{ 'anything-but': ['refund'] }] } }, true],
    ['numeric range', { body: { total: [{ numeric: ['>', 100, '<=', 250] }] } }, true],
    ['numeric outside', { body: { total: [{ numeric: ['>', 250] }] } }, false],
    ['exists', { body: { region: [{ exists: true }] } }, true],
    ['does not exist', { body: { missing: [{ exists: false }] } }, true],
    ['array field matches any element', { body: { tags: ['b'] } }, true],
    ['case-sensitive', { body: { type: ['Order'] } }, false],
    ['numbers outside numeric by value', { body: { total: [250] } }, true],
  ])('%s', (_name, pattern, expected) => {
    expect(matches(pattern, record)).toBe(expected);
  });

  it('keeps a record that matches any of several filters, and every record when there are none', () => {
    const patterns = parsePatterns([
      { Pattern: '{"body":{"type":["refund"]}}' },
      { Pattern: '{"eventName":["INSERT"]}' },
    ]);
    expect(matchesAny(patterns, record)).toBe(true);
    expect(matchesAny([], record)).toBe(true);
  });

  it('drops a plain-string body met by a JSON pattern', () => {
    expect(matches({ body: { type: ['order'] } }, filterView({ body: 'not json' }, 'body'))).toBe(false);
  });

  it('matches Kinesis data after base64 decoding', () => {
    const view = filterView(
      { partitionKey: 'd-1', data: Buffer.from('{"t":30}').toString('base64') },
      'data',
    );
    expect(matches({ data: { t: [{ numeric: ['>=', 30] }] } }, view)).toBe(true);
  });

  it('refuses a pattern that is not a JSON object', () => {
    expect(() => parsePatterns([{ Pattern: '[1]' }])).toThrow(PatternError);
    expect(() => parsePatterns([{ Pattern: '{nope' }])).toThrow(/Filters\[0\].Pattern is not JSON/);
  });
});
