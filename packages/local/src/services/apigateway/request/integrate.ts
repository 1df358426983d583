/**
 * The integrate stage, the last of the chain: the method's integration makes the response. MOCK answers
 * from its own mapping (see `integrate-mock.ts`); AWS_PROXY invokes the function with the payload 1.0 proxy
 * event and answers what its result stands for (a result API Gateway cannot use is a 502); AWS calls a
 * service (see `integrate-aws.ts`). Every answer is JSON unless the integration says otherwise, with the
 * request id.
 */
import type { Failed } from './chain.js';
import { integrateAws, type AwsIntegrationOptions } from './integrate-aws.js';
import { integrateMock } from './integrate-mock.js';
import { proxyEvent, proxyResponse } from '../events.js';
import { FAILURES } from '../failures.js';
import type { HttpAnswer, RequestState } from '../types.js';
import type { LambdaHost } from '../../lambda/host.js';

/** What the integrate stage needs besides the request. */
export interface IntegrateOptions extends AwsIntegrationOptions {
  /** Runs the functions of Lambda proxy integrations. */
  readonly host: Pick<LambdaHost, 'invoke'>;
}

/** Makes a request's response, or the failure the gateway answers instead. */
export type Integrate = (state: RequestState) => Promise<HttpAnswer | Failed>;

/** The integrate stage of an API. */
export function integrate(options: IntegrateOptions): Integrate {
  return async (state) => {
    const made = await respond(options, state);
    if ('failure' in made) return made;
    return {
      ...made,
      headers: { 'Content-Type': 'application/json', 'x-amzn-RequestId': state.requestId, ...made.headers },
    };
  };
}

/** The integration's own answer: its status, its headers and the body. */
async function respond(options: IntegrateOptions, state: RequestState): Promise<HttpAnswer | Failed> {
  const { integration } = state.method;
  const { host, accountId, api } = options;
  if (integration.type === 'MOCK') return integrateMock(api, accountId, state, integration);
  if (integration.type === 'AWS') return integrateAws(options, state, integration);
  const result = await host.invoke(integration.functionArn, proxyEvent(state, accountId, api));
  const response = result.ok ? proxyResponse(result.payload) : undefined;
  if (!response) return { failure: FAILURES.internal };
  return { status: response.statusCode, headers: response.headers, body: response.body };
}
