/**
 * Routing: the request target as API Gateway reads it, and the method of the API it names. Literal path
 * segments win over `{param}` ones, and those over greedy `{proxy+}` ones; a resource's `ANY` method takes
 * the HTTP methods it has no method of its own for. No method is API Gateway's 403 Missing Authentication
 * Token; a `{param}` segment whose percent-encoding is not UTF-8 is a 400.
 */
import type { Failed } from './chain.js';
import { FAILURES } from '../failures.js';
import type { GatewayApi, GatewayMethod, Route } from '../types.js';

/** The method a request is for, with the values of its path parameters. */
export interface RouteMatch {
  readonly route: Route;
  readonly method: GatewayMethod;
  readonly pathParameters: Record<string, string>;
}

/** The routes of one API, in the order API Gateway tries them. */
export class Router {
  private readonly routes: readonly Route[];

  /** Throws when a method hangs on a resource the API does not define. */
  constructor(api: GatewayApi) {
    this.routes = buildRoutes(api);
  }

  /** The method for a decoded URL's path and an HTTP method, or the failure to answer. */
  public route(pathname: string, httpMethod: string): RouteMatch | Failed {
    const segments = pathname.split('/').filter((s) => s !== '');
    try {
      for (const route of this.routes) {
        const pathParameters = matchSegments(route.segments, segments);
        if (!pathParameters) continue;
        const method = route.methods.get(httpMethod) ?? route.methods.get('ANY');
        if (method) return { route, method, pathParameters };
      }
    } catch (error: unknown) {
      if (!(error instanceof UndecodablePathError)) throw error;
      return { failure: FAILURES.undecodablePath };
    }
    return { failure: FAILURES.missingToken };
  }
}

/**
 * The URL of a request target as API Gateway reads it: an origin-form target (`/path?query`) is a path
 * even when it starts with `//` (resolved against a base, `//v1/x` would name a host `v1`); an absolute-form
 * target is taken as it is. Undefined when the target is no URL at all.
 */
export function requestUrl(target: string): URL | undefined {
  try {
    return target.startsWith('/') ? new URL(`http://localhost${target}`) : new URL(target);
  } catch {
    return undefined;
  }
}

function buildRoutes(api: GatewayApi): Route[] {
  const pathOf = (id: string): string[] => {
    if (id === api.rootResourceId) return [];
    const resource = api.resources.get(id);
    if (!resource) throw new Error(`API ${api.apiId}: resource ${id} is not defined`);
    return [...pathOf(resource.parentId), resource.pathPart];
  };
  const byResource = new Map<string, Route>();
  for (const method of api.methods) {
    let route = byResource.get(method.resourceId);
    if (!route) {
      const segments = pathOf(method.resourceId);
      route = {
        template: `/${segments.join('/')}`,
        segments,
        methods: new Map(),
        resourceId: method.resourceId,
      };
      byResource.set(method.resourceId, route);
    }
    route.methods.set(method.httpMethod, method);
  }
  // Literal segments win over parameters, and parameters over greedy ones, as in API Gateway.
  const rank = (s: string) => (s.endsWith('+}') ? 2 : s.startsWith('{') ? 1 : 0);
  return [...byResource.values()].sort((a, b) => {
    for (let i = 0; i < Math.min(a.segments.length, b.segments.length); i += 1) {
      const d = rank(a.segments[i] ?? '') - rank(b.segments[i] ?? '');
      if (d !== 0) return d;
    }
    return b.segments.length - a.segments.length;
  });
}

/** A path segment's percent-encoding is not UTF-8 (`%zz`, an overlong form, a lone surrogate). */
class UndecodablePathError extends Error {
  public override readonly name = 'UndecodablePathError';
}

function decodePathSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function matchSegments(template: readonly string[], actual: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i += 1) {
    const t = template[i] ?? '';
    if (t.startsWith('{') && t.endsWith('+}')) {
      if (i >= actual.length) return undefined;
      params[t.slice(1, -2)] = actual.slice(i).join('/');
      return params;
    }
    const a = actual[i];
    if (a === undefined) return undefined;
    if (t.startsWith('{') && t.endsWith('}')) {
      const decoded = decodePathSegment(a);
      if (decoded === undefined) throw new UndecodablePathError();
      params[t.slice(1, -1)] = decoded;
    } else if (t !== a) return undefined;
  }
  return template.length === actual.length ? params : undefined;
}
