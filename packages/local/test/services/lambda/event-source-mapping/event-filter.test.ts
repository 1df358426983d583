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

describe('event filter exists, as EventBridge matches it on leaves', () => {
  /** An SQS record as filters see it: the body parsed. */
  const sqsView = (body: unknown) =>
    filterView({ messageId: 'm-1', body: typeof body === 'string' ? body : JSON.stringify(body) }, 'body');
  /** A Kinesis record's `kinesis` fields as filters see them: the data decoded from base64 and parsed. */
  const kinesisView = (data: unknown) =>
    filterView({ partitionKey: 'p', data: Buffer.from(JSON.stringify(data)).toString('base64') }, 'data');
  /** A DynamoDB stream record with the images a NEW_AND_OLD_IMAGES stream sends for `eventName`. */
  const dynamodbRecord = (
    eventName: 'INSERT' | 'REMOVE',
    image: Record<string, unknown>,
  ): Record<string, unknown> => ({
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: { id: { S: 'a' } },
      ...(eventName === 'INSERT' ? { NewImage: image } : { OldImage: image }),
      // The SDK leaves some fields undefined; JSON has no such value, so they count as absent.
      SizeBytes: undefined,
    },
  });
  const absent = { exists: false };
  const present = { exists: true };

  it.each<[string, Record<string, unknown>, Record<string, unknown>, boolean]>([
    ['SQS body, key absent: exists false', { body: { deletedAt: [absent] } }, sqsView({ id: 1 }), true],
    ['SQS body, key absent: exists true', { body: { deletedAt: [present] } }, sqsView({ id: 1 }), false],
    ['SQS body, key present: exists false', { body: { id: [absent] } }, sqsView({ id: 1 }), false],
    ['SQS body, key present: exists true', { body: { id: [present] } }, sqsView({ id: 1 }), true],
    ['SQS body, key null: exists true', { body: { id: [present] } }, sqsView({ id: null }), true],
    ['SQS body, key null: exists false', { body: { id: [absent] } }, sqsView({ id: null }), false],
    [
      'SQS body, parent absent: exists false',
      { body: { meta: { trace: [absent] } } },
      sqsView({ id: 1 }),
      true,
    ],
    [
      'SQS body, an object is no leaf: exists true',
      { body: { meta: [present] } },
      sqsView({ meta: { trace: 't' } }),
      false,
    ],
    ['SQS body, plain string met by a JSON pattern', { body: { id: [absent] } }, sqsView('not json'), false],
    ['Kinesis data, key absent: exists false', { data: { alarm: [absent] } }, kinesisView({ t: 30 }), true],
    ['Kinesis data, key present: exists false', { data: { t: [absent] } }, kinesisView({ t: 30 }), false],
    ['Kinesis data, key null: exists true', { data: { t: [present] } }, kinesisView({ t: null }), true],
    [
      'Kinesis data, parent absent: exists false',
      { data: { device: { firmware: [absent] } } },
      kinesisView({ t: 30 }),
      true,
    ],
    [
      'DynamoDB INSERT, attribute absent: exists false',
      { dynamodb: { NewImage: { deletedAt: { S: [absent] } } } },
      dynamodbRecord('INSERT', { id: { S: 'a' } }),
      true,
    ],
    [
      'DynamoDB INSERT, attribute present: exists false',
      { dynamodb: { NewImage: { id: { S: [absent] } } } },
      dynamodbRecord('INSERT', { id: { S: 'a' } }),
      false,
    ],
    [
      'DynamoDB INSERT, attribute NULL: exists true',
      { dynamodb: { NewImage: { gone: { NULL: [present] } } } },
      dynamodbRecord('INSERT', { id: { S: 'a' }, gone: { NULL: true } }),
      true,
    ],
    [
      'DynamoDB REMOVE, no NewImage at all: exists false',
      { dynamodb: { NewImage: { id: { S: [absent] } } } },
      dynamodbRecord('REMOVE', { id: { S: 'a' } }),
      true,
    ],
    [
      'DynamoDB REMOVE, no NewImage at all: exists true',
      { dynamodb: { NewImage: { id: { S: [present] } } } },
      dynamodbRecord('REMOVE', { id: { S: 'a' } }),
      false,
    ],
    [
      'DynamoDB, a field left undefined: exists false',
      { dynamodb: { SizeBytes: [absent] } },
      dynamodbRecord('INSERT', { id: { S: 'a' } }),
      true,
    ],
  ])('%s', (_name, pattern, record, expected) => {
    // GIVEN a record as the event source mapping's filter sees it
    // WHEN the pattern is matched against it
    // THEN it is kept or dropped as Lambda does
    expect(matches(pattern, record)).toBe(expected);
  });

  it('refuses at start an unsupported operator nested under a key another alternative already fails', () => {
    // GIVEN a pattern whose first key never matches an empty record and whose second uses an unknown operator
    const filters = [
      { Pattern: '{"eventName":["INSERT"],"dynamodb":{"NewImage":{"id":{"S":[{"wildcard":"a*"}]}}}}' },
    ];
    // WHEN it is parsed
    // THEN the operator is refused there, not at the first record
    expect(() => parsePatterns(filters)).toThrow(/filter operator wildcard is not supported offline/);
  });

  it('refuses anything-but with an operator inside rather than treating it as a value to exclude', () => {
    // GIVEN anything-but with a prefix, which the runtime does not evaluate
    const filters = [{ Pattern: '{"body":{"state":[{"anything-but":{"prefix":"init"}}]}}' }];
    // WHEN it is parsed
    // THEN it is refused, instead of silently matching every record
    expect(() => parsePatterns(filters)).toThrow(/anything-but with prefix is not supported offline/);
  });
});
