/**
 * An `AWS` service integration: the integration request (`mapping.ts`) is performed against the local
 * engine, and the backend's status, headers and body become the method response through the integration
 * responses (`integration-response.ts`).
 */
import type { Failed } from './chain.js';
import { methodResponse } from './integration-response.js';
import { integrationRequest } from './mapping.js';
import { callService, type ServiceClients } from '../service-integrations.js';
import type { GatewayApi, GatewayMethod, HttpAnswer, RequestState } from '../types.js';

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
  const request = integrationRequest(state, accountId, api, integration);
  if ('failure' in request) return request;
  const backend = await callService(services, integration, request.body);
  const accept = state.req.headers.accept;
  return methodResponse(integration.responses, backend, request, accept);
}
