/**
 * An `AWS` service integration: the request template for the request's media type (VTL) renders the
 * service request, or the body passes through as the passthrough behaviour allows (else 415); the local
 * engine performs it; the integration response whose selection pattern matches the backend status (or the
 * default one; with none, a 502) maps the answer, and its template may override the status and headers.
 */
import type { Failed } from './chain.js';
import { byMediaType, mediaType } from './media-type.js';
import { requestEventFields } from '../events.js';
import { FAILURES } from '../failures.js';
import { callService, type ServiceClients } from '../service-integrations.js';
import type { GatewayApi, GatewayMethod, HttpAnswer, RequestState } from '../types.js';
import { renderTemplate } from '../vtl.js';

/** What an `AWS` integration needs besides the request. */
export interface AwsIntegrationOptions {
  readonly api: GatewayApi;
  readonly accountId: string;
  /** The engines the integrations call. */
  readonly services: ServiceClients;
}

type AwsIntegration = Extract<GatewayMethod['integration'], { type: 'AWS' }>;

/** The response of an `AWS` integration (its own headers), or the failure the gateway answers instead. */
export async function integrateAws(
  { api, accountId, services }: AwsIntegrationOptions,
  state: RequestState,
  integration: AwsIntegration,
): Promise<HttpAnswer | Failed> {
  const fields = requestEventFields(state, accountId, api);
  const template = byMediaType(integration.requestTemplates, mediaType(state.req));
  const hasTemplates = Object.keys(integration.requestTemplates).length > 0;
  if (
    template === undefined &&
    (integration.passthrough === 'NEVER' || (integration.passthrough === 'WHEN_NO_TEMPLATES' && hasTemplates))
  ) {
    return { failure: FAILURES.unsupportedMediaType };
  }
  const context = {
    requestId: state.requestId,
    extendedRequestId: state.requestId,
    requestTime: fields.requestContext.requestTime,
    requestTimeEpoch: fields.requestContext.requestTimeEpoch,
    stage: api.stageName ?? 'local',
    resourcePath: state.route.template,
    httpMethod: state.req.method ?? 'GET',
    path: fields.requestContext.path,
    identity: fields.requestContext.identity,
    authorizer: state.authorizer ?? {},
    responseOverride: { header: {} as Record<string, string> },
  };
  const params = { path: state.pathParameters, querystring: fields.query, header: fields.headers };
  const body =
    template === undefined
      ? (state.body ?? '')
      : renderTemplate(template, { body: state.body ?? '', params, context });
  const backend = await callService(services, integration, body);
  const status = String(backend.status);
  const chosen =
    integration.responses.find(
      (r) => r.selectionPattern !== undefined && new RegExp(`^(?:${r.selectionPattern})$`).test(status),
    ) ?? integration.responses.find((r) => r.selectionPattern === undefined);
  if (!chosen) return { failure: FAILURES.internal };
  const responseTemplate = chosen.templates['application/json'];
  const responseContext = {
    ...context,
    responseOverride: { header: {} as Record<string, string>, status: undefined as number | undefined },
  };
  const out =
    responseTemplate === undefined
      ? backend.body
      : renderTemplate(responseTemplate, { body: backend.body, params, context: responseContext });
  return {
    status: responseContext.responseOverride.status ?? chosen.statusCode,
    headers: { ...chosen.headers, ...responseContext.responseOverride.header },
    body: out,
  };
}
