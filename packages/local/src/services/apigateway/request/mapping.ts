/**
 * The integration request of a non-proxy integration (MOCK or AWS): the request template for the request's
 * media type renders the integration's request, or the body passes through as the passthrough behaviour
 * allows (else 415). What the templates see — `$input.params()`, `$context`, `$stageVariables` — is made
 * once here and shared with the integration response's templates.
 */
import type { Failed } from './chain.js';
import { byMediaType, mediaType } from './media-type.js';
import { requestEventFields } from '../events.js';
import { FAILURES } from '../failures.js';
import type { GatewayApi, MappedIntegration, RequestState } from '../types.js';
import { renderTemplate, type TemplateInput } from '../vtl.js';

/** The integration request: its body, and what the response templates see of the method request. */
export interface IntegrationRequest {
  /** The rendered request template, or the method request's body passed through. */
  readonly body: string;
  /** True when a request template made the body (false: passed through). */
  readonly templated: boolean;
  /** `$input.params()`, `$context` and `$stageVariables` of the method request. */
  readonly input: Omit<TemplateInput, 'body'>;
}

/** The integration request of `integration` for a request, or the 415 API Gateway answers instead. */
export function integrationRequest(
  state: RequestState,
  accountId: string,
  api: GatewayApi,
  integration: MappedIntegration,
): IntegrationRequest | Failed {
  const template = byMediaType(integration.requestTemplates, mediaType(state.req));
  const hasTemplates = Object.keys(integration.requestTemplates).length > 0;
  if (
    template === undefined &&
    (integration.passthrough === 'NEVER' || (integration.passthrough === 'WHEN_NO_TEMPLATES' && hasTemplates))
  ) {
    return { failure: FAILURES.unsupportedMediaType };
  }
  const fields = requestEventFields(state, accountId, api);
  const { requestContext } = fields;
  const context = {
    accountId,
    apiId: api.apiId,
    domainName: requestContext.domainName,
    domainPrefix: requestContext.domainPrefix,
    requestId: state.requestId,
    extendedRequestId: state.requestId,
    requestTime: requestContext.requestTime,
    requestTimeEpoch: requestContext.requestTimeEpoch,
    stage: requestContext.stage,
    resourceId: requestContext.resourceId,
    resourcePath: state.route.template,
    httpMethod: requestContext.httpMethod,
    path: requestContext.path,
    protocol: requestContext.protocol,
    identity: requestContext.identity,
    authorizer: state.authorizer ?? {},
    requestOverride: { header: {}, path: {}, querystring: {} },
    responseOverride: { header: {} as Record<string, string> },
  };
  const input = {
    params: { path: state.pathParameters, querystring: fields.query, header: fields.headers },
    context,
    stageVariables: api.stageVariables ?? {},
  };
  const body =
    template === undefined
      ? (state.body ?? '')
      : renderTemplate(template, { ...input, body: state.body ?? '' });
  return { body, templated: template !== undefined, input };
}
