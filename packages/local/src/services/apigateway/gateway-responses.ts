/**
 * Gateway responses: a failure answered as the API customises it. The response for the failure's type, or
 * else for its family (DEFAULT_4XX, DEFAULT_5XX), may set the status, add headers (CORS headers such as
 * `Access-Control-Allow-Origin` among them) and template the body with `$context.error.*` and
 * `$context.requestId`; without one, the body is AWS's `{"message": …}`.
 */
import type { GatewayFailure } from './failures.js';
import type { GatewayApi, HttpAnswer, RequestState } from './types.js';

/** A gateway response: its headers are single-valued. */
export interface GatewayAnswer extends HttpAnswer {
  readonly headers: Readonly<Record<string, string>>;
}

/** A failure as the API's gateway responses shape it (status, headers, templated body). */
export function gatewayResponse(
  api: GatewayApi,
  failure: GatewayFailure,
  requestId: string,
  state?: RequestState,
): GatewayAnswer {
  const family = failure.status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
  const custom = api.gatewayResponses.get(failure.type) ?? api.gatewayResponses.get(family);
  const status = custom?.statusCode ?? failure.status;
  const context: Record<string, string> = {
    '$context.requestId': requestId,
    '$context.error.message': (failure.message ?? '').replace(/"/g, '\\"'),
    '$context.error.messageString': JSON.stringify(failure.message),
    '$context.error.responseType': failure.type,
    // Escaped so that the usual `"$context.error.validationErrorString"` in a template stays valid JSON.
    '$context.error.validationErrorString': JSON.stringify(state?.validationErrorString ?? '').slice(1, -1),
  };
  const template = custom?.templates['application/json'];
  const body =
    template === undefined
      ? JSON.stringify({ [failure.messageKey ?? 'message']: failure.message })
      : template.replace(/\$context\.[A-Za-z.]+/g, (name) => context[name] ?? '');
  return {
    status,
    headers: {
      'Content-Type': 'application/json',
      'x-amzn-RequestId': requestId,
      ...(failure.errorType ? { 'x-amzn-ErrorType': failure.errorType } : {}),
      ...custom?.headers,
    },
    body,
  };
}
