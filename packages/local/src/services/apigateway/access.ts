/** The failures API Gateway answers itself, by gateway response type. */
export type GatewayResponseType =
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'UNAUTHORIZED'
  | 'ACCESS_DENIED'
  | 'AUTHORIZER_CONFIGURATION_ERROR'
  | 'INVALID_API_KEY'
  | 'THROTTLED'
  | 'QUOTA_EXCEEDED'
  | 'BAD_REQUEST_PARAMETERS'
  | 'BAD_REQUEST_BODY'
  | 'REQUEST_TOO_LARGE'
  | 'INTEGRATION_FAILURE'
  | 'API_CONFIGURATION_ERROR'
  /** A 4xx with no type of its own (malformed HTTP, an undecodable path): the API's default 4xx response. */
  | 'DEFAULT_4XX';

/** A failure the gateway answers without (or instead of) the integration. */
export interface GatewayFailure {
  readonly type: GatewayResponseType;
  readonly status: number;
  /** `null` for AUTHORIZER_CONFIGURATION_ERROR, as AWS sends it. */
  readonly message: string | null;
  readonly errorType?: string;
  /** The body key: `Message` for authorizer denials (as captured from AWS), else `message`. */
  readonly messageKey?: 'message' | 'Message';
}

export const FAILURES = {
  missingToken: {
    type: 'MISSING_AUTHENTICATION_TOKEN',
    status: 403,
    message: 'Missing Authentication Token',
    errorType: 'MissingAuthenticationTokenException',
  },
  unauthorized: {
    type: 'UNAUTHORIZED',
    status: 401,
    message: 'Unauthorized',
    errorType: 'UnauthorizedException',
  },
  explicitDeny: {
    type: 'ACCESS_DENIED',
    status: 403,
    message: 'User is not authorized to access this resource with an explicit deny',
    errorType: 'AccessDeniedException',
    messageKey: 'Message',
  },
  implicitDeny: {
    type: 'ACCESS_DENIED',
    status: 403,
    message: 'User is not authorized to access this resource',
    errorType: 'AccessDeniedException',
    messageKey: 'Message',
  },
  authorizerError: {
    type: 'AUTHORIZER_CONFIGURATION_ERROR',
    status: 500,
    message: null,
    errorType: 'AuthorizerConfigurationException',
  },
  invalidApiKey: {
    type: 'INVALID_API_KEY',
    status: 403,
    message: 'Forbidden',
    errorType: 'ForbiddenException',
  },
  throttled: {
    type: 'THROTTLED',
    status: 429,
    message: 'Too Many Requests',
    errorType: 'TooManyRequestsException',
  },
  quotaExceeded: {
    type: 'QUOTA_EXCEEDED',
    status: 429,
    message: 'Limit Exceeded',
    errorType: 'LimitExceededException',
  },
  invalidBody: {
    type: 'BAD_REQUEST_BODY',
    status: 400,
    message: 'Invalid request body',
    errorType: 'BadRequestException',
  },
  tooLarge: { type: 'REQUEST_TOO_LARGE', status: 413, message: 'Request Too Long' },
  badRequest: {
    type: 'DEFAULT_4XX',
    status: 400,
    message: 'The request is not valid HTTP',
    errorType: 'BadRequestException',
  },
  unsupportedMethod: {
    type: 'DEFAULT_4XX',
    status: 400,
    message: 'The HTTP method is not supported',
    errorType: 'BadRequestException',
  },
  headersTooLarge: {
    type: 'DEFAULT_4XX',
    status: 431,
    message: 'Request headers are larger than 10240 bytes',
  },
  undecodablePath: {
    type: 'DEFAULT_4XX',
    status: 400,
    message: 'A path segment is not valid percent-encoded UTF-8',
    errorType: 'BadRequestException',
  },
  badRequestTarget: {
    type: 'DEFAULT_4XX',
    status: 400,
    message: 'The request target is not a valid URL path',
    errorType: 'BadRequestException',
  },
  internal: { type: 'INTEGRATION_FAILURE', status: 502, message: 'Internal server error' },
} as const satisfies Record<string, GatewayFailure>;

/** A policy statement as an authorizer returns it. */
interface Statement {
  Effect?: unknown;
  Action?: unknown;
  Resource?: unknown;
}

/**
 * Evaluates an authorizer's policy against a method ARN as API Gateway does: an explicit `Deny` wins,
 * otherwise an `Allow` is needed. `*` matches any run of characters and `?` one character.
 * Returns undefined when the policy is unusable (an authorizer configuration error).
 */
export function evaluatePolicy(
  policy: unknown,
  methodArn: string,
): 'allow' | 'explicit-deny' | 'implicit-deny' | undefined {
  if (policy === null || typeof policy !== 'object') return undefined;
  const raw = (policy as { Statement?: unknown }).Statement;
  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  if (list.some((s) => s === null || typeof s !== 'object')) return undefined;
  const statements = list as Statement[];
  const applies = (s: Statement) =>
    [s.Action]
      .flat()
      .some((a) => typeof a === 'string' && (a === '*' || wildcard(a, 'execute-api:Invoke'))) &&
    [s.Resource].flat().some((r) => typeof r === 'string' && wildcard(r, methodArn));
  if (statements.some((s) => s.Effect === 'Deny' && applies(s))) return 'explicit-deny';
  if (statements.some((s) => s.Effect === 'Allow' && applies(s))) return 'allow';
  return 'implicit-deny';
}

function wildcard(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(value);
}

/** A token bucket: `burst` tokens, refilled at `rate` per second. */
export class TokenBucket {
  private tokens: number;
  private updated = Date.now();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  /** Takes one token if there is one. */
  public take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updated) / 1000) * this.rate);
    this.updated = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** A usage plan's quota per key: `limit` requests per UTC calendar day, week (from Monday) or month. */
export class Quota {
  private readonly used = new Map<string, { period: string; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly period: 'DAY' | 'WEEK' | 'MONTH',
  ) {}

  /** Counts one request of `key`; false when the key is over its quota for the current period. */
  public take(key: string, now = new Date()): boolean {
    const period = this.periodOf(now);
    const entry = this.used.get(key);
    const count = entry?.period === period ? entry.count : 0;
    if (count >= this.limit) return false;
    this.used.set(key, { period, count: count + 1 });
    return true;
  }

  private periodOf(d: Date): string {
    if (this.period === 'MONTH') return d.toISOString().slice(0, 7);
    if (this.period === 'DAY') return d.toISOString().slice(0, 10);
    const monday = new Date(
      Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - ((d.getUTCDay() + 6) % 7)),
    );
    return monday.toISOString().slice(0, 10);
  }
}

/** An authorizer result held for its TTL, keyed by identity. */
export class AuthorizerCache<T> {
  private readonly entries = new Map<string, { value: T; expires: number }>();

  constructor(private readonly ttlSeconds: number) {}

  public get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (Date.now() >= entry.expires) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  public set(key: string, value: T): void {
    if (this.ttlSeconds > 0) this.entries.set(key, { value, expires: Date.now() + this.ttlSeconds * 1000 });
  }
}
