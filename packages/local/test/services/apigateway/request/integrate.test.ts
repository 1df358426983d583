import { describe, expect, it } from 'vitest';
import { FAILURES } from '../../../../src/services/apigateway/failures.js';
import { integrate } from '../../../../src/services/apigateway/request/integrate.js';
import type { ServiceClients } from '../../../../src/services/apigateway/service-integrations.js';
import type { GatewayMethod } from '../../../../src/services/apigateway/types.js';
import type { InvokeResult } from '../../../../src/services/lambda/host.js';
import { api, fakeHost, method, requestState } from './fixtures.js';

function setup(answer: InvokeResult = { ok: true, payload: {} }) {
  const host = fakeHost(() => answer);
  // No test here reaches an engine: the AWS case below is refused before the call.
  const run = integrate({ api: api(), host, accountId: '111122223333', services: {} as ServiceClients });
  const call = (integration: GatewayMethod['integration'], path = '/x', headers = {}) =>
    run(requestState({ path, headers, method: method({ integration }) }));
  return { host, call };
}

describe('integrate (the integration makes the response)', () => {
  it('answers a MOCK integration with its status and headers after the defaults, and no body', async () => {
    const { host, call } = setup();
    await expect(
      call({ type: 'MOCK', statusCode: 204, headers: { 'X-Mock': 'yes', 'Content-Type': 'text/plain' } }),
    ).resolves.toEqual({
      status: 204,
      headers: { 'Content-Type': 'text/plain', 'x-amzn-RequestId': 'req-1', 'X-Mock': 'yes' },
      body: '',
    });
    expect(host.calls).toEqual([]);
  });

  it('invokes a Lambda proxy integration with the proxy event and answers its result', async () => {
    const { host, call } = setup({
      ok: true,
      payload: { statusCode: 201, headers: { 'X-Id': '7' }, body: '{"id":7}' },
    });
    await expect(call({ type: 'AWS_PROXY', functionArn: 'orders' }, '/orders?x=1')).resolves.toEqual({
      status: 201,
      headers: { 'Content-Type': 'application/json', 'x-amzn-RequestId': 'req-1', 'X-Id': '7' },
      body: '{"id":7}',
    });
    expect(host.calls[0]).toMatchObject({
      functionArn: 'orders',
      event: { path: '/orders', httpMethod: 'GET', queryStringParameters: { x: '1' } },
    });
  });

  it.each<[string, InvokeResult]>([
    ['a function error', { ok: false, error: { errorType: 'Error', errorMessage: 'boom' } }],
    ['a result that is no response', { ok: true, payload: 'just a string' }],
  ])('answers 502 for %s', async (_name, answer) => {
    const { call } = setup(answer);
    await expect(call({ type: 'AWS_PROXY', functionArn: 'orders' })).resolves.toEqual({
      failure: FAILURES.internal,
    });
  });

  it('refuses an AWS integration a media type it has no template for, when passthrough is NEVER', async () => {
    const { call } = setup();
    await expect(
      call(
        {
          type: 'AWS',
          service: 'sqs',
          path: '111122223333/q',
          requestTemplates: { 'application/json': 'Action=SendMessage' },
          passthrough: 'NEVER',
          responses: [],
        },
        '/x',
        { 'Content-Type': 'text/plain' },
      ),
    ).resolves.toEqual({ failure: FAILURES.unsupportedMediaType });
  });
});
