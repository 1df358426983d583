/**
 * A MOCK integration: API Gateway answers from the method's own mapping. The request template for the
 * request's media type (or the body, as the passthrough behaviour allows) renders JSON whose `statusCode`
 * selects the integration response; the mock's integration response has no headers and an empty body, so
 * what the client gets comes from that response's parameters and template. With no request template, the
 * default integration response answers.
 */
import type { Failed } from './chain.js';
import { methodResponse } from './integration-response.js';
import { integrationRequest } from './mapping.js';
import { FAILURES } from '../failures.js';
import type { GatewayApi, GatewayMethod, HttpAnswer, RequestState } from '../types.js';

type MockIntegration = Extract<GatewayMethod['integration'], { type: 'MOCK' }>;

/** The response of a MOCK integration (its own headers), or the failure the gateway answers instead. */
export function integrateMock(
  api: GatewayApi,
  accountId: string,
  state: RequestState,
  integration: MockIntegration,
): HttpAnswer | Failed {
  const request = integrationRequest(state, accountId, api, integration);
  if ('failure' in request) return request;
  const status = mockStatus(request.body);
  if (status === undefined && request.templated) {
    // "Unable to parse statusCode. It should be an integer that is defined in the request template."
    return { failure: FAILURES.configuration };
  }
  // No status (no template, and none passed through) selects no pattern: the default response answers.
  return methodResponse(
    status === undefined
      ? integration.responses.filter((r) => r.selectionPattern === undefined)
      : integration.responses,
    { status: status ?? 200, headers: {}, body: '' },
    request,
    headerOf(state, 'accept'),
  );
}

/**
 * The `statusCode` of a MOCK request template's output. API Gateway reads it leniently: CDK's CORS preflight
 * template is `{ statusCode: 200 }`, an unquoted key.
 */
export function mockStatus(rendered: string): number | undefined {
  let value: unknown;
  try {
    value = (JSON.parse(rendered) as { statusCode?: unknown } | null)?.statusCode;
  } catch {
    value = /["']?statusCode["']?\s*:\s*["']?(\d+)/.exec(rendered)?.[1];
  }
  const status = Number(value);
  return value !== undefined && value !== null && Number.isInteger(status) ? status : undefined;
}

function headerOf(state: RequestState, name: string): string | undefined {
  const value = state.req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}
