import type { IncomingMessage } from 'node:http';
import type {
  GatewayApi,
  GatewayMethod,
  RequestState,
  Route,
} from '../../../../src/services/apigateway/types.js';
import type { InvokeResult } from '../../../../src/services/lambda/host.js';

/** A Lambda proxy method on `resourceId`, with no authorizer, key or validation unless given. */
export function method(overrides: Partial<GatewayMethod> = {}): GatewayMethod {
  return {
    httpMethod: 'GET',
    resourceId: 'r',
    integration: { type: 'AWS_PROXY', functionArn: 'backend' },
    apiKeyRequired: false,
    requestModels: {},
    validateBody: false,
    requiredParameters: [],
    validateParameters: false,
    ...overrides,
  };
}

/** An API on stage `live` with no resources, authorizers, models or gateway responses unless given. */
export function api(overrides: Partial<GatewayApi> = {}): GatewayApi {
  return {
    apiId: 'api1',
    rootResourceId: 'root',
    resources: new Map(),
    methods: [],
    stageName: 'live',
    apiKeySource: 'HEADER',
    authorizers: new Map(),
    models: new Map(),
    gatewayResponses: new Map(),
    ...overrides,
  };
}

/** The state of a routed request, with no server: `headers` as a client sends them. */
export function requestState(
  options: {
    path?: string;
    httpMethod?: string;
    headers?: Record<string, string>;
    body?: string | null;
    method?: GatewayMethod;
    template?: string;
    pathParameters?: Record<string, string>;
  } = {},
): RequestState {
  const { path = '/', httpMethod = 'GET', headers = {}, body = null } = options;
  const req = {
    method: httpMethod,
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
    rawHeaders: Object.entries(headers).flat(),
    socket: { remoteAddress: '127.0.0.1' },
  } as unknown as IncomingMessage;
  const gatewayMethod = options.method ?? method({ httpMethod });
  const route: Route = {
    template: options.template ?? path.replace(/\?.*/s, ''),
    segments: [],
    methods: new Map([[gatewayMethod.httpMethod, gatewayMethod]]),
    resourceId: gatewayMethod.resourceId,
  };
  return {
    requestId: 'req-1',
    url: new URL(`http://localhost${path}`),
    req,
    route,
    method: gatewayMethod,
    pathParameters: options.pathParameters ?? {},
    body,
  };
}

/** A stand-in for the Lambda host: answers with `answer` and records every invocation. */
export function fakeHost(answer: (functionArn: string, event: Record<string, unknown>) => InvokeResult) {
  const calls: { functionArn: string; event: Record<string, unknown> }[] = [];
  return {
    calls,
    invoke(functionArn: string, event: unknown): Promise<InvokeResult> {
      const e = event as Record<string, unknown>;
      calls.push({ functionArn, event: e });
      return Promise.resolve(answer(functionArn, e));
    },
  };
}
