import { describe, expect, it } from 'vitest';
import { FAILURES } from '../../../../src/services/apigateway/failures.js';
import {
  methodResponse,
  selectResponse,
  templateType,
} from '../../../../src/services/apigateway/request/integration-response.js';
import type { IntegrationRequest } from '../../../../src/services/apigateway/request/mapping.js';
import type { IntegrationResponseSpec } from '../../../../src/services/apigateway/types.js';

const response = (overrides: Partial<IntegrationResponseSpec> = {}): IntegrationResponseSpec => ({
  statusCode: 200,
  templates: {},
  parameters: {},
  ...overrides,
});

const request: IntegrationRequest = {
  body: '',
  templated: true,
  input: {
    params: { path: {}, querystring: { q: 'tea' }, header: {} },
    context: { requestId: 'req-9', stage: 'live', responseOverride: { header: {} } },
    stageVariables: { table: 'orders' },
  },
};

describe('integration responses (backend answer → method response)', () => {
  it('selects the response whose pattern matches the whole status, else the default', () => {
    // GIVEN a default, a 4xx and a 404-only response
    const responses = [
      response({ statusCode: 200 }),
      response({ statusCode: 400, selectionPattern: '4\\d{2}' }),
      response({ statusCode: 404, selectionPattern: '40' }),
    ];

    // WHEN statuses are matched
    // THEN the pattern must match all of the status ("40" does not select 404), else the default answers
    expect(selectResponse(responses, '404')?.statusCode).toBe(400);
    expect(selectResponse(responses, '500')?.statusCode).toBe(200);
    expect(selectResponse(responses.slice(1), '500')).toBeUndefined();
  });

  it('maps headers from literals, the backend headers and body, $context and stage variables', () => {
    // GIVEN a response mapping every kind of source
    const chosen = response({
      parameters: {
        'X-Literal': "'a, b'",
        'X-Backend': 'integration.response.header.x-amzn-requestid',
        'X-Multi': 'integration.response.multivalueheader.X-Many',
        'X-Shard': 'integration.response.body.ShardId',
        'X-Body': 'integration.response.body',
        'X-Request': 'context.requestId',
        'X-Table': 'stageVariables.table',
        'X-Absent': 'integration.response.header.Nope',
      },
    });

    // WHEN a backend answer is mapped
    const answer = methodResponse(
      [chosen],
      {
        status: 200,
        headers: { 'X-Amzn-RequestId': 'k-1', 'x-many': ['1', '2'] },
        body: '{"ShardId":"shardId-1"}',
      },
      request,
      undefined,
    );

    // THEN each header has its source's value, a missing one is left out, and the body passes through
    expect(answer).toEqual({
      status: 200,
      headers: {
        'X-Literal': 'a, b',
        'X-Backend': 'k-1',
        'X-Multi': '1,2',
        'X-Shard': 'shardId-1',
        'X-Body': '{"ShardId":"shardId-1"}',
        'X-Request': 'req-9',
        'X-Table': 'orders',
      },
      body: '{"ShardId":"shardId-1"}',
    });
  });

  it('renders the template of the Accept type, which may override the status and headers', () => {
    // GIVEN a JSON and an XML template; the XML one overrides the status and a header
    const chosen = response({
      parameters: { 'X-Kind': "'static'" },
      templates: {
        'application/json': '{"q":"$input.params(\'q\')"}',
        'application/xml':
          '#set($context.responseOverride.status = 202)#set($context.responseOverride.header.X-Kind = "xml")<q>$input.params(\'q\')</q>',
      },
    });
    const backend = { status: 200, headers: {}, body: '' };

    // WHEN a client accepts XML, and another anything
    const xml = methodResponse([chosen], backend, request, 'application/xml;q=0.9, text/html');
    const any = methodResponse([chosen], backend, request, '*/*');

    // THEN each gets its template's body and type; the override wins over the mapped header
    expect(xml).toEqual({
      status: 202,
      headers: { 'Content-Type': 'application/xml', 'X-Kind': 'xml' },
      body: '<q>tea</q>',
    });
    expect(any).toEqual({
      status: 200,
      headers: { 'Content-Type': 'application/json', 'X-Kind': 'static' },
      body: '{"q":"tea"}',
    });
  });

  it('falls back to the first template when neither the Accept type nor JSON has one', () => {
    // GIVEN plain-text and HTML templates; WHEN a client accepts only PNG, or there are no templates
    // THEN the first template is rendered, or none (the body passes through)
    expect(templateType({ 'text/plain': '', 'text/html': '' }, 'image/png')).toBe('text/plain');
    expect(templateType({}, 'application/json')).toBeUndefined();
  });

  it('answers a configuration error when no response is selected', () => {
    // GIVEN only a 2xx response; WHEN the backend answers 500; THEN API Gateway's 500 configuration error
    expect(
      methodResponse(
        [response({ selectionPattern: '2\\d{2}' })],
        { status: 500, headers: {}, body: '' },
        request,
        undefined,
      ),
    ).toEqual({ failure: FAILURES.configuration });
  });
});
