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
  it('answers a MOCK integration from the response its template selects: parameters, then template', async () => {
    // GIVEN a MOCK whose request template picks 404 for ?missing=yes, and a default and a 4xx response
    const { host, call } = setup();
    const integration: GatewayMethod['integration'] = {
      type: 'MOCK',
      requestTemplates: {
        'application/json': '{"statusCode": #if($input.params(\'missing\') == "yes")404#{else}200#end}',
      },
      passthrough: 'WHEN_NO_MATCH',
      responses: [
        {
          statusCode: 200,
          templates: { 'text/plain': "found $input.params('id')" },
          parameters: { 'X-Mock': "'yes'", 'X-Stage': 'context.stage' },
        },
        {
          statusCode: 404,
          selectionPattern: '4\\d{2}',
          templates: { 'application/json': '{"missing":"$context.requestId"}' },
          parameters: {},
        },
      ],
    };

    // WHEN it is called without and with ?missing=yes
    const found = await call(integration, '/x?id=7');
    const missing = await call(integration, '/x?missing=yes');

    // THEN the default response maps its headers and template; the 4xx one its template; no function runs
    expect(found).toEqual({
      status: 200,
      headers: {
        'Content-Type': 'text/plain',
        'x-amzn-RequestId': 'req-1',
        'X-Mock': 'yes',
        'X-Stage': 'live',
      },
      body: 'found 7',
    });
    expect(missing).toEqual({
      status: 404,
      headers: { 'Content-Type': 'application/json', 'x-amzn-RequestId': 'req-1' },
      body: '{"missing":"req-1"}',
    });
    expect(host.calls).toEqual([]);
  });

  it.each<[string, Record<string, string>]>([
    ['a status no response selects and no default', { 'application/json': '{"statusCode": 503}' }],
    ['a request template with no statusCode', { 'application/json': '{"ok": true}' }],
  ])('answers a MOCK with %s as a configuration error', async (_name, requestTemplates) => {
    // GIVEN a MOCK with only a 2xx response
    const { call } = setup();

    // WHEN it is called
    const answer = await call({
      type: 'MOCK',
      requestTemplates,
      passthrough: 'WHEN_NO_MATCH',
      responses: [{ statusCode: 200, selectionPattern: '2\\d{2}', templates: {}, parameters: {} }],
    });

    // THEN the gateway answers 500 Internal server error itself
    expect(answer).toEqual({ failure: FAILURES.configuration });
  });

  it.each([
    ['{"statusCode": 201}', 201],
    ['{ statusCode: 201 }', 201],
    ['{"statusCode": "201"}', 201],
  ])(
    'reads the status of the MOCK template output %s leniently, as CDK’s CORS template needs',
    async (out, status) => {
      // GIVEN a MOCK whose template renders `out`, with a default response
      const { call } = setup();

      // WHEN it is called
      const answer = await call({
        type: 'MOCK',
        requestTemplates: { 'application/json': out },
        passthrough: 'WHEN_NO_MATCH',
        responses: [
          { statusCode: 200, templates: {}, parameters: {} },
          { statusCode: 201, selectionPattern: '201', templates: {}, parameters: {} },
        ],
      });

      // THEN its status selects the 201 response
      expect(answer).toMatchObject({ status });
    },
  );

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

  it('gives a Lambda proxy the stage variables, or null when the stage has none', async () => {
    // GIVEN a proxy method on a stage with a variable, and on one with none
    const withVariables = fakeHost(() => ({ ok: true, payload: {} }));
    const without = fakeHost(() => ({ ok: true, payload: {} }));
    const services = {} as ServiceClients;
    const state = () =>
      requestState({ method: method({ integration: { type: 'AWS_PROXY', functionArn: 'f' } }) });

    // WHEN each is called
    await integrate({
      api: api({ stageVariables: { release: 'r1' } }),
      host: withVariables,
      accountId: '1',
      services,
    })(state());
    await integrate({ api: api(), host: without, accountId: '1', services })(state());

    // THEN the event's stageVariables are the stage's, or null
    expect(withVariables.calls[0]?.event.stageVariables).toEqual({ release: 'r1' });
    expect(without.calls[0]?.event.stageVariables).toBeNull();
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
