import type { IncomingMessage } from 'node:http';
import type { ServiceTarget } from './service-integrations.js';

/** An integration response: chosen by matching its pattern against the backend status; the default has none. */
export interface IntegrationResponseSpec {
  /** The method response's status code, which the client gets unless a template overrides it. */
  readonly statusCode: number;
  /** A Java regex that must match the whole backend status code; undefined for the default response. */
  readonly selectionPattern?: string;
  /** Response templates (VTL) by media type. */
  readonly templates: Readonly<Record<string, string>>;
  /**
   * Method response header name → where its value comes from, as `ResponseParameters` write it: a `'literal'`,
   * `integration.response.header.X`, `integration.response.multivalueheader.X`, `integration.response.body`,
   * `integration.response.body.<JSONPath>`, `context.X` or `stageVariables.X`.
   */
  readonly parameters: Readonly<Record<string, string>>;
}

/** What a non-proxy integration (MOCK or AWS) maps: its request templates and its integration responses. */
export interface MappedIntegration {
  /** Request templates by content type. */
  readonly requestTemplates: Readonly<Record<string, string>>;
  readonly passthrough: 'WHEN_NO_MATCH' | 'WHEN_NO_TEMPLATES' | 'NEVER';
  readonly responses: readonly IntegrationResponseSpec[];
}

/** A Lambda authorizer as the template declares it. */
export interface AuthorizerSpec {
  readonly type: 'TOKEN' | 'REQUEST';
  readonly functionArn: string;
  /** `method.request.header.X`, `method.request.querystring.X`, `stageVariables.X`, `context.X`. */
  readonly identitySources: readonly string[];
  /** TOKEN only: a token that does not match gets 401 without calling the function. */
  readonly validationExpression?: string;
  readonly ttlSeconds: number;
}

/** An API key. */
export interface ApiKeySpec {
  readonly id: string;
  readonly name: string;
  readonly value: string;
  readonly enabled: boolean;
}

/** A usage plan with the stages it covers and the keys in it. */
export interface UsagePlanSpec {
  readonly id: string;
  readonly name: string;
  readonly stages: readonly {
    apiId: string;
    stage: string;
    methodThrottles: Readonly<Record<string, { rate: number; burst: number }>>;
  }[];
  readonly throttle?: { rate: number; burst: number };
  readonly quota?: { limit: number; period: 'DAY' | 'WEEK' | 'MONTH' };
  readonly keyIds: string[];
}

/** A customised gateway response. */
export interface GatewayResponseSpec {
  readonly statusCode?: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly templates: Readonly<Record<string, string>>;
}

/** A method of a REST API as the template declares it. */
export interface GatewayMethod {
  readonly httpMethod: string;
  readonly resourceId: string;
  readonly authorizerId?: string;
  readonly apiKeyRequired: boolean;
  /** Model name by content type, for body validation. */
  readonly requestModels: Readonly<Record<string, string>>;
  readonly validateBody: boolean;
  readonly integration:
    | { readonly type: 'AWS_PROXY'; readonly functionArn: string }
    | ({ readonly type: 'MOCK' } & MappedIntegration)
    | ({ readonly type: 'AWS' } & MappedIntegration & ServiceTarget);
  /** `querystring.x`, `header.y`, `path.z` parameters the method requires (checked when a validator asks). */
  readonly requiredParameters: readonly string[];
  readonly validateParameters: boolean;
}

/** A REST API: its resource tree, methods and stage. */
export interface GatewayApi {
  readonly apiId: string;
  readonly rootResourceId: string;
  readonly resources: Map<string, { parentId: string; pathPart: string }>;
  readonly methods: GatewayMethod[];
  stageName?: string;
  /** The stage's `Variables`: `$stageVariables` of the mapping templates. */
  stageVariables?: Readonly<Record<string, string>>;
  /** Stage-level default throttling (`MethodSettings` for `*` `/*`). */
  throttle?: { rate: number; burst: number };
  apiKeySource: 'HEADER' | 'AUTHORIZER';
  readonly authorizers: Map<string, AuthorizerSpec>;
  /** JSON Schema (draft-04) by model name. */
  readonly models: Map<string, object>;
  readonly gatewayResponses: Map<string, GatewayResponseSpec>;
}

/** Usage plans and API keys of the application (they are not owned by one API). */
export interface GatewayAccess {
  readonly usagePlans: readonly UsagePlanSpec[];
  readonly apiKeys: ReadonlyMap<string, ApiKeySpec>;
}

export interface Route {
  readonly template: string;
  readonly segments: readonly string[];
  readonly methods: Map<string, GatewayMethod>;
  readonly resourceId: string;
}

/** One request on its way through the gateway. */
export interface RequestState {
  readonly requestId: string;
  readonly url: URL;
  readonly req: IncomingMessage;
  readonly route: Route;
  readonly method: GatewayMethod;
  readonly pathParameters: Record<string, string>;
  readonly body: string | null;
  authorizer?: Record<string, string | number | boolean>;
  apiKey?: ApiKeySpec;
  validationErrorString?: string;
}

/** An HTTP answer as the gateway writes it: an integration's response, or a gateway response. */
export interface HttpAnswer {
  readonly status: number;
  /** A list value is sent as one header line per item. */
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly body: string;
}

/** The state of one engine of the offline runtime, as `GET /_conflux/health` reports it. */
export interface EngineHealth {
  readonly state: 'running' | 'exited';
  readonly pid?: number;
  /** How it ended: `code 1` or `signal SIGKILL`. */
  readonly exitStatus?: string;
}

/** What the runtime tells its gateway about its engines. */
export interface RuntimeHealth {
  /** Every engine by name, for `GET /_conflux/health`. */
  engines(): Readonly<Record<string, EngineHealth>>;
  /** Why the application cannot serve requests now (an engine exited), or undefined while it can. */
  unavailable(): string | undefined;
}
