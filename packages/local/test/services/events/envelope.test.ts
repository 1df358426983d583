import { describe, expect, it } from 'vitest';
import {
  checkRequest,
  entrySize,
  PutEventsValidationError,
  toEnvelope,
} from '../../../src/services/events/envelope.js';

const env = { accountId: '000000000000', region: 'us-east-1', partition: 'aws', urlSuffix: 'amazonaws.com' };
const entry = { Source: 'com.example.orders', DetailType: 'Order Placed', Detail: '{"id":"o-1"}' };

describe('PutEvents entries', () => {
  it('become the event envelope EventBridge delivers', () => {
    // GIVEN an entry with resources and a time (epoch seconds, as the SDK sends it)
    const event = toEnvelope({ ...entry, Resources: ['arn:aws:s3:::b'], Time: 1_764_670_500 }, env);
    // THEN the envelope has every field, the time to the second
    expect(event).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
      'detail-type': 'Order Placed',
      source: 'com.example.orders',
      account: '000000000000',
      time: '2025-12-02T10:15:00Z',
      region: 'us-east-1',
      resources: ['arn:aws:s3:::b'],
      detail: { id: 'o-1' },
    });
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    [
      'no Source',
      { ...entry, Source: undefined },
      'InvalidArgument',
      'Parameter Source is not valid. Reason: Source is a required argument.',
    ],
    [
      'no DetailType',
      { ...entry, DetailType: undefined },
      'InvalidArgument',
      'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
    ],
    [
      'no Detail',
      { ...entry, Detail: undefined },
      'InvalidArgument',
      'Parameter Detail is not valid. Reason: Detail is a required argument.',
    ],
    ['a Detail that is not JSON', { ...entry, Detail: '{id' }, 'MalformedDetail', 'Detail is malformed.'],
    ['a Detail that is a JSON array', { ...entry, Detail: '[1]' }, 'MalformedDetail', 'Detail is malformed.'],
    [
      'a Detail that is a JSON string',
      { ...entry, Detail: '"text"' },
      'MalformedDetail',
      'Detail is malformed.',
    ],
    [
      'a source of AWS',
      { ...entry, Source: 'aws.s3' },
      'NotAuthorizedForSourceException',
      'Not authorized for the source.',
    ],
  ])('refuse an entry with %s', (_name, refused, code, message) => {
    expect(toEnvelope(refused, env)).toEqual({ ErrorCode: code, ErrorMessage: message });
  });

  it('count their size as AWS does', () => {
    expect(entrySize({ ...entry, Resources: ['abc'], Time: 1 })).toBe(14 + 18 + 12 + 12 + 3);
  });
});

describe('PutEvents requests', () => {
  it('refuse more than 10 entries, none, or more than 256 KB in all', () => {
    expect(() => {
      checkRequest(Array.from({ length: 11 }, () => entry));
    }).toThrow(/less than or equal to 10/);
    expect(() => {
      checkRequest([]);
    }).toThrow(PutEventsValidationError);
    const big = { ...entry, Detail: JSON.stringify({ blob: 'x'.repeat(130 * 1024) }) };
    expect(() => {
      checkRequest([big, big]);
    }).toThrow('Total size of the entries in the request is over the limit.');
    expect(() => {
      checkRequest([big]);
    }).not.toThrow();
  });
});
