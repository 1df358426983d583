/**
 * Routing as HTTP APIs do it: the most specific route wins — a literal segment over a `{param}`, a
 * `{param}` over a greedy `{proxy+}`, then a route of the request's own method over an `ANY` one — and
 * `$default` takes what no route matches. A greedy variable needs at least one segment (`ANY /{proxy+}` does
 * not match `/`). Named stages are served under `/<stage>`, `$default` at the root.
 */
import type { RouteSpec, StageSpec } from './types.js';

/** A route key taken apart: `GET /items/{id}` → `GET`, `['items', '{id}']`; `$default` has neither. */
export interface ParsedRouteKey {
  readonly method?: string;
  readonly segments?: readonly string[];
}

const METHODS = new Set(['ANY', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/** A route key's method and path segments, or undefined for a key that HTTP APIs would not accept. */
export function parseRouteKey(routeKey: string): ParsedRouteKey | undefined {
  if (routeKey === '$default') return {};
  const match = /^([A-Z]+) (\/\S*)$/.exec(routeKey);
  if (!match || !METHODS.has(match[1] ?? '')) return undefined;
  const segments = (match[2] ?? '').split('/').filter((s) => s !== '');
  const greedy = segments.findIndex((s) => /^\{[^{}]+\+\}$/.test(s));
  if (greedy !== -1 && greedy !== segments.length - 1) return undefined;
  return { method: match[1], segments };
}

/** A route that matched a request, with the values of its path variables. */
export interface RouteMatch {
  readonly route: RouteSpec;
  readonly pathParameters: Record<string, string>;
}

interface Candidate {
  readonly route: RouteSpec;
  readonly method: string;
  readonly segments: readonly string[];
}

const rank = (segment: string) => (segment.endsWith('+}') ? 2 : segment.startsWith('{') ? 1 : 0);

/** Orders two routes so that the more specific one comes first. */
function compare(a: Candidate, b: Candidate): number {
  for (let i = 0; i < Math.min(a.segments.length, b.segments.length); i += 1) {
    const d = rank(a.segments[i] ?? '') - rank(b.segments[i] ?? '');
    if (d !== 0) return d;
  }
  if (a.segments.length !== b.segments.length) return b.segments.length - a.segments.length;
  return (a.method === 'ANY' ? 1 : 0) - (b.method === 'ANY' ? 1 : 0);
}

/** The routes of one API, tried in the order HTTP APIs try them. */
export class RouteTable {
  private readonly candidates: readonly Candidate[];
  private readonly fallback?: RouteSpec;

  constructor(routes: readonly RouteSpec[]) {
    const candidates: Candidate[] = [];
    for (const route of routes) {
      const parsed = parseRouteKey(route.routeKey);
      if (!parsed) continue;
      if (parsed.method === undefined || parsed.segments === undefined) this.fallback = route;
      else candidates.push({ route, method: parsed.method, segments: parsed.segments });
    }
    this.candidates = candidates.sort(compare);
  }

  /** The route for a path (below the stage) and method; undefined is a 404. */
  public match(pathname: string, method: string): RouteMatch | undefined {
    const actual = pathname.split('/').filter((s) => s !== '');
    for (const candidate of this.candidates) {
      if (candidate.method !== 'ANY' && candidate.method !== method) continue;
      const pathParameters = matchSegments(candidate.segments, actual);
      if (pathParameters) return { route: candidate.route, pathParameters };
    }
    return this.fallback ? { route: this.fallback, pathParameters: {} } : undefined;
  }
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function matchSegments(
  template: readonly string[],
  actual: readonly string[],
): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i += 1) {
    const t = template[i] ?? '';
    if (t.endsWith('+}')) {
      if (i >= actual.length) return undefined;
      params[t.slice(1, -2)] = actual.slice(i).map(decode).join('/');
      return params;
    }
    const a = actual[i];
    if (a === undefined) return undefined;
    if (t.startsWith('{')) params[t.slice(1, -1)] = decode(a);
    else if (t !== a) return undefined;
  }
  return template.length === actual.length ? params : undefined;
}

/**
 * The stage a request path is for, and the path below it: `/<name>/…` for a named stage, else the
 * `$default` stage with the whole path. Undefined when no stage serves the path (a 404).
 */
export function stageOf(
  stages: ReadonlyMap<string, StageSpec>,
  pathname: string,
): { stage: StageSpec; path: string } | undefined {
  const first = pathname.split('/')[1] ?? '';
  const named = first === '$default' ? undefined : stages.get(decode(first));
  if (named) {
    const rest = pathname.slice(first.length + 1);
    return { stage: named, path: rest === '' ? '/' : rest };
  }
  const fallback = stages.get('$default');
  return fallback ? { stage: fallback, path: pathname } : undefined;
}
