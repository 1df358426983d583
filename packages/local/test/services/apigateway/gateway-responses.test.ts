import { describe, expect, it } from 'vitest';
import { FAILURES } from '../../../src/services/apigateway/failures.js';
import { gatewayResponse } from '../../../src/services/apigateway/gateway-responses.js';
import type { GatewayResponseSpec } from '../../../src/services/apigateway/types.js';
import { api, requestState } from './request/fixtures.js';

const withResponses = (responses: Record<string, GatewayResponseSpec>) =>
  api({ gatewayResponses: new Map(Object.entries(responses)) });

describe('gatewayResponse (a failure as the API answers it)', () => {
  it('answers AWS’s default shape when the API customises nothing', () => {
    expect(gatewayResponse(api(), FAILURES.invalidApiKey, 'rid')).toEqual({
      status: 403,
      headers: {
        'Content-Type': 'application/json',
        'x-amzn-RequestId': 'rid',
        'x-amzn-ErrorType': 'ForbiddenException',
      },
      body: '{"message":"Forbidden"}',
    });
    expect(gatewayResponse(api(), FAILURES.explicitDeny, 'rid').body).toBe(
      '{"Message":"User is not authorized to access this resource with an explicit deny"}',
    );
    expect(gatewayResponse(api(), FAILURES.authorizerError, 'rid').body).toBe('{"message":null}');
    expect(gatewayResponse(api(), FAILURES.tooLarge, 'rid').headers).not.toHaveProperty('x-amzn-ErrorType');
  });

  it('takes the response of the failure’s type before its family’s, and may change the status', () => {
    const responses = withResponses({
      DEFAULT_4XX: { headers: { 'Access-Control-Allow-Origin': '*' }, templates: {} },
      THROTTLED: { statusCode: 503, headers: { 'Retry-After': '1' }, templates: {} },
      DEFAULT_5XX: { headers: { 'X-Family': '5xx' }, templates: {} },
    });
    const throttled = gatewayResponse(responses, FAILURES.throttled, 'rid');
    expect(throttled.status).toBe(503);
    expect(throttled.headers).toMatchObject({ 'Retry-After': '1' });
    expect(throttled.headers).not.toHaveProperty('Access-Control-Allow-Origin');
    expect(gatewayResponse(responses, FAILURES.unauthorized, 'rid').headers).toMatchObject({
      'Access-Control-Allow-Origin': '*',
    });
    expect(gatewayResponse(responses, FAILURES.internal, 'rid').headers).toMatchObject({ 'X-Family': '5xx' });
  });

  it('fills a template’s $context.error fields so that the body stays JSON', () => {
    const responses = withResponses({
      DEFAULT_4XX: {
        headers: {},
        templates: {
          'application/json':
            '{"code":"$context.error.responseType","message":$context.error.messageString,"plain":"$context.error.message","details":"$context.error.validationErrorString","id":"$context.requestId","unknown":"$context.nothing"}',
        },
      },
    });
    const state = requestState();
    state.validationErrorString = '[/name must match pattern "^a"]';
    const answer = gatewayResponse(responses, FAILURES.invalidBody, 'rid', state);
    expect(JSON.parse(answer.body)).toEqual({
      code: 'BAD_REQUEST_BODY',
      message: 'Invalid request body',
      plain: 'Invalid request body',
      details: '[/name must match pattern "^a"]',
      id: 'rid',
      unknown: '',
    });
  });
});
