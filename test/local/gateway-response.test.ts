import { describe, expect, it } from 'vitest';
import { proxyResponse } from '../../lib/local/gateway';
import { batchItemFailures } from '../../lib/local/sqs-poller';

describe('proxyResponse (what API Gateway makes of a Lambda proxy result)', () => {
  it('defaults to 200 and keeps numeric-string status codes', () => {
    expect(proxyResponse({ headers: { a: 'b' } })).toEqual({
      statusCode: 200,
      headers: { a: 'b' },
      body: '',
    });
    expect(proxyResponse({ statusCode: '201', body: 'x' })?.statusCode).toBe(201);
  });

  it('sends both multi-value and single headers, multi-value first, booleans as text', () => {
    expect(proxyResponse({ multiValueHeaders: { h: ['m'] }, headers: { h: 's', t: true } })?.headers).toEqual(
      {
        h: ['m', 's'],
        t: 'true',
      },
    );
  });

  it.each<[string, unknown]>([
    ['a bare string', 'justAString'],
    ['a non-numeric status', { statusCode: 'test' }],
    ['an unknown key', { statusCode: 200, wrongValue: 'x' }],
    ['multi-value headers that are not arrays', { multiValueHeaders: { h: 'x' } }],
    ['null', null],
  ])('is a 502 for %s', (_name, payload) => {
    expect(proxyResponse(payload)).toBeUndefined();
  });
});

describe('batchItemFailures (what an SQS mapping makes of a partial batch response)', () => {
  const ids = new Set(['m1', 'm2']);
  it.each<[string, unknown, string[]]>([
    ['an empty list', { batchItemFailures: [] }, []],
    ['a null list', { batchItemFailures: null }, []],
    ['an empty object', {}, []],
    ['a null response', null, []],
    ['listed ids', { batchItemFailures: [{ itemIdentifier: 'm2' }] }, ['m2']],
  ])('treats %s as success of the unlisted records', (_name, payload, failed) => {
    expect(batchItemFailures(payload, ids)).toEqual(failed);
  });

  it.each<[string, unknown]>([
    ['an empty id', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a null id', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['an id not in the batch', { batchItemFailures: [{ itemIdentifier: 'other' }] }],
    ['a wrong key', { foo: [] }],
    ['a string', 'ok'],
  ])('treats %s as a complete failure', (_name, payload) => {
    expect(batchItemFailures(payload, ids)).toBeUndefined();
  });
});
