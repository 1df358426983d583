/** An HTTP API as its template declares it, filled as its resources are created. */

/** A rate limit: `burst` requests at once, refilled at `rate` per second. */
export interface ThrottleSpec {
  readonly rate: number;
  readonly burst: number;
}

/** The `CorsConfiguration` of an API. */
export interface CorsSpec {
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly allowCredentials: boolean;
  readonly maxAge?: number;
}

/** A stage: `$default` (served at the root) or a named one (served under `/<name>`). */
export interface StageSpec {
  readonly name: string;
  readonly variables: Readonly<Record<string, string>>;
  /** `DefaultRouteSettings` throttling: each route of the stage has a bucket of its own. */
  readonly defaultThrottle?: ThrottleSpec;
  /** `RouteSettings` throttling, by route key. */
  readonly routeThrottles: Readonly<Record<string, ThrottleSpec>>;
}

/** What a route's integration calls. */
export type IntegrationSpec =
  | {
      readonly type: 'AWS_PROXY';
      readonly functionArn: string;
      readonly payloadFormatVersion: '1.0' | '2.0';
      readonly timeoutMs: number;
    }
  | {
      readonly type: 'HTTP_PROXY';
      /** The URL, with `{name}` standing for path parameters. */
      readonly uri: string;
      /** `ANY` forwards the request's own method. */
      readonly method: string;
      readonly timeoutMs: number;
    };

/** A JWT or Lambda (REQUEST) authorizer. */
export type AuthorizerSpec =
  | {
      readonly type: 'JWT';
      readonly name: string;
      readonly issuer: string;
      readonly audience: readonly string[];
      /** Selection expressions: `$request.header.Authorization`, … */
      readonly identitySources: readonly string[];
    }
  | {
      readonly type: 'REQUEST';
      readonly name: string;
      readonly functionArn: string;
      readonly payloadFormatVersion: '1.0' | '2.0';
      readonly simpleResponses: boolean;
      readonly identitySources: readonly string[];
      readonly ttlSeconds: number;
    };

/** A route: its key, what authorizes it and the integration it targets. */
export interface RouteSpec {
  /** `GET /items/{id}`, `ANY /{proxy+}` or `$default`. */
  readonly routeKey: string;
  readonly authorizationType: 'NONE' | 'JWT' | 'CUSTOM' | 'AWS_IAM';
  readonly authorizerId?: string;
  readonly authorizationScopes: readonly string[];
  /** The integration's id (`Target` is `integrations/<id>`). */
  readonly integrationId: string;
}

/** An HTTP API: its routes, integrations, authorizers, stages and CORS. */
export interface HttpApiSpec {
  readonly apiId: string;
  readonly logicalId: string;
  readonly name: string;
  readonly cors?: CorsSpec;
  readonly routes: RouteSpec[];
  readonly integrations: Map<string, IntegrationSpec>;
  readonly authorizers: Map<string, AuthorizerSpec>;
  readonly stages: Map<string, StageSpec>;
}
