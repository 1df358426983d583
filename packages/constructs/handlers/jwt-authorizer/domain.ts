import type { APIGatewayAuthorizerResult, Statement } from 'aws-lambda';

/** Scopes each route needs, keyed `VERB /path` with API Gateway's resource path (`{param}` segments). */
export type { RouteScopes } from '@conflux/constructs/contracts';
import type { RouteScopes } from '@conflux/constructs/contracts';

/** The parts of a method ARN: `arn:aws:execute-api:<region>:<account>:<api>/<stage>/<VERB>/<path>`. */
export interface MethodArn {
  /** `arn:aws:execute-api:<region>:<account>:<api>/<stage>` */
  readonly prefix: string;
  readonly verb: string;
  /** The request path without its leading slash. */
  readonly path: string;
}

/**
 * The JWT of an `Authorization` header, or undefined when the header is not `Bearer 1*SP token` (RFC 6750)
 * with a compact JWS as the token. The scheme is case-insensitive (RFC 7235); a header with anything around
 * or inside the token, or a second token, is not one. The same shape as the authorizer's `validationRegex`
 * in SecureRestApi, so API Gateway and the function refuse the same headers.
 */
export function bearerToken(authorization: string): string | undefined {
  return /^[Bb][Ee][Aa][Rr][Ee][Rr] +([-0-9A-Za-z_]+\.[-0-9A-Za-z_]+\.[-0-9A-Za-z_]+)$/.exec(
    authorization,
  )?.[1];
}

/** Splits a method ARN, or undefined when it is not one. */
export function parseMethodArn(methodArn: string): MethodArn | undefined {
  const match = /^(arn:[^:]+:execute-api:[^:]+:[^:]+:[^/]+\/[^/]+)\/([A-Z]+)\/(.*)$/.exec(methodArn);
  if (!match) return undefined;
  return { prefix: match[1] ?? '', verb: match[2] ?? '', path: match[3] ?? '' };
}

/** The route key (`VERB /resource/{param}`) a request path falls under, or undefined when none does. */
export function routeOf(routes: RouteScopes, verb: string, path: string): string | undefined {
  const segments = path.split('/').filter((s) => s !== '');
  return Object.keys(routes).find((key) => {
    const [routeVerb, routePath = ''] = key.split(' ');
    const template = routePath.split('/').filter((s) => s !== '');
    return (
      (routeVerb === verb || routeVerb === 'ANY') &&
      template.length === segments.length &&
      template.every((t, i) => (t.startsWith('{') && t.endsWith('}')) || t === segments[i])
    );
  });
}

/** Whether `granted` covers every scope of `needed`. */
export function hasScopes(granted: readonly string[], needed: readonly string[]): boolean {
  return needed.every((scope) => granted.includes(scope));
}

/**
 * The method ARNs a token with `scopes` may call: every route whose scopes it holds, as ARN patterns. The
 * policy names only these, so a cached policy (cache key = the token) never opens a route the token lacks.
 */
export function allowedMethodArns(routes: RouteScopes, scopes: readonly string[], prefix: string): string[] {
  return Object.entries(routes)
    .filter(([, needed]) => hasScopes(scopes, needed))
    .map(([key]) => {
      const [verb = '*', path = ''] = key.split(' ');
      const arnPath = path
        .split('/')
        .filter((s) => s !== '')
        .map((s) => (s.startsWith('{') ? '*' : s))
        .join('/');
      return `${prefix}/${verb === 'ANY' ? '*' : verb}/${arnPath}`;
    });
}

/**
 * An IAM policy for API Gateway: `Allow` on the routes the token may call, or `Deny` on the whole API when
 * it may call none. It never depends on the route first requested, so API Gateway may cache it by token: a
 * route outside the list is then denied (403) wherever the token is used.
 */
export function policyFor(
  principalId: string,
  allowed: readonly string[],
  apiPrefix: string,
  context: Record<string, string>,
): APIGatewayAuthorizerResult {
  const statement: Statement =
    allowed.length > 0
      ? { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [...allowed] }
      : { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: `${apiPrefix}/*` };
  return { principalId, policyDocument: { Version: '2012-10-17', Statement: [statement] }, context };
}
