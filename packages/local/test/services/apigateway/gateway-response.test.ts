import { describe, expect, it } from 'vitest';
import { proxyResponse, requestUrl } from '../../../src/services/apigateway/gateway.js';
import { batchItemFailures } from '../../../src/services/lambda/event-source-mapping/sqs-poller.js';

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

describe('requestUrl (the path API Gateway routes on)', () => {
  it.each<[string, string]>([
    ['/v1/orders?x=1', '/v1/orders'],
    ['//v1/orders', '//v1/orders'],
    ['//v1%00/products/SKU/reviews', '//v1%00/products/SKU/reviews'],
    ['http://example.com/v1/health', '/v1/health'],
  ])('reads %s as the path %s', (target, pathname) => {
    expect(requestUrl(target)?.pathname).toBe(pathname);
  });

  it('is undefined for a target that is no URL', () => {
    expect(requestUrl('*')).toBeUndefined();
    expect(requestUrl('http://[')).toBeUndefined();
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
