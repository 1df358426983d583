import { describe, expect, it } from 'vitest';
import { FAILURES } from '../../../../src/services/apigateway/failures.js';
import { validate } from '../../../../src/services/apigateway/request/validate.js';
import { api, method, requestState } from './fixtures.js';

const ORDER = {
  type: 'object',
  required: ['sku', 'quantity'],
  additionalProperties: false,
  properties: { sku: { type: 'string' }, quantity: { type: 'integer', minimum: 1 } },
};

describe('validate (required parameters, then the body model)', () => {
  const stage = validate(api({ models: new Map([['Order', ORDER]]) }));
  const validated = method({
    httpMethod: 'POST',
    requestModels: { 'application/json': 'Order' },
    validateBody: true,
  });
  const post = (body: string | null, headers: Record<string, string> = {}, m = validated) =>
    requestState({ path: '/orders', httpMethod: 'POST', headers, body, method: m });

  it('names every missing or blank required parameter, in the method’s order', () => {
    const m = method({
      requiredParameters: ['querystring.tenant', 'header.x-trace', 'path.id', 'querystring.page'],
    });
    const state = requestState({ path: '/x?tenant=%20&page=2', method: m, pathParameters: { id: '' } });
    expect(stage(state)).toEqual({
      type: 'BAD_REQUEST_PARAMETERS',
      status: 400,
      message: 'Missing required request parameters: [tenant, x-trace, id]',
      errorType: 'BadRequestException',
    });
  });

  it('lets a body that matches the model go on', () => {
    expect(stage(post('{"sku":"a","quantity":2}'))).toBeUndefined();
  });

  it('answers 400 with the validator’s errors as a bracketed list', () => {
    const state = post('{"sku":"a","quantity":0,"extra":1}');
    expect(stage(state)).toBe(FAILURES.invalidBody);
    expect(state.validationErrorString).toBe(
      '[/ must NOT have additional properties, /quantity must be >= 1]',
    );
  });

  it('answers 400 for a body that is no JSON, with the parser’s message', () => {
    const state = post('{not json');
    expect(stage(state)).toBe(FAILURES.invalidBody);
    expect(state.validationErrorString).toMatch(/JSON/);
  });

  it('validates a missing body as an empty object', () => {
    const state = post(null);
    expect(stage(state)).toBe(FAILURES.invalidBody);
    expect(state.validationErrorString).toContain("must have required property 'sku'");
  });

  it('picks the model by media type, case-insensitively, and falls back to $default', () => {
    expect(stage(post('[]', { 'Content-Type': 'Application/JSON; charset=utf-8' }))).toBe(
      FAILURES.invalidBody,
    );
    expect(stage(post('[]', { 'Content-Type': 'text/plain' }))).toBeUndefined();
    const withDefault = method({ ...validated, requestModels: { $default: 'Order' } });
    expect(stage(post('[]', { 'Content-Type': 'text/plain' }, withDefault))).toBe(FAILURES.invalidBody);
  });

  it('leaves the body alone when the validator does not ask for it', () => {
    expect(stage(post('{not json', {}, method({ ...validated, validateBody: false })))).toBeUndefined();
  });
});
