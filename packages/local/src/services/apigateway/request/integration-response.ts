/**
 * The integration response of a non-proxy integration (MOCK or AWS), as API Gateway maps it to the method
 * response: the integration response whose selection pattern (a Java regex matching the whole backend
 * status code) matches, or else the default one (no pattern; with none, a 500); then its response
 * parameters (method response headers from `'literals'`, the backend's headers and body, `$context`,
 * `$stageVariables`), then its response template for the client's `Accept` (VTL with the backend body as
 * `$input`, the method request's parameters, and `$context.responseOverride` to change status and headers).
 */
import { JSONPath } from 'jsonpath-plus';
import type { Failed } from './chain.js';
import type { IntegrationRequest } from './mapping.js';
import { FAILURES } from '../failures.js';
import type { HttpAnswer, IntegrationResponseSpec } from '../types.js';
import { renderTemplate } from '../vtl.js';

/** What the backend answered, as API Gateway sees it (a MOCK's: its template's status, no headers, no body). */
export interface BackendResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: string;
}

/** The integration response a backend status selects: the first whose pattern matches, or the default. */
export function selectResponse(
  responses: readonly IntegrationResponseSpec[],
  status: string,
): IntegrationResponseSpec | undefined {
  return (
    responses.find(
      (r) => r.selectionPattern !== undefined && new RegExp(`^(?:${r.selectionPattern})$`).test(status),
    ) ?? responses.find((r) => r.selectionPattern === undefined)
  );
}

/** The method response for a backend response, or the failure API Gateway answers instead. */
export function methodResponse(
  responses: readonly IntegrationResponseSpec[],
  backend: BackendResponse,
  request: IntegrationRequest,
  accept: string | undefined,
): HttpAnswer | Failed {
  const chosen = selectResponse(responses, String(backend.status));
  // "No match for output mapping and no default output mapping configured": a configuration error.
  if (!chosen) return { failure: FAILURES.configuration };
  const headers: Record<string, string> = {};
  for (const [target, source] of Object.entries(chosen.parameters)) {
    const value = parameterValue(source, backend, request);
    if (value !== undefined) headers[target] = value;
  }
  const type = templateType(chosen.templates, accept);
  if (type === undefined) return { status: chosen.statusCode, headers, body: backend.body };
  const responseOverride: { header: Record<string, string>; status?: number } = { header: {} };
  const body = renderTemplate(chosen.templates[type] ?? '', {
    ...request.input,
    body: backend.body,
    context: { ...request.input.context, responseOverride },
  });
  const override = Number(responseOverride.status);
  return {
    status: Number.isInteger(override) && override >= 100 && override <= 599 ? override : chosen.statusCode,
    headers: { 'Content-Type': type, ...headers, ...stringValues(responseOverride.header) },
    body,
  };
}

/**
 * The media type of the response template to render: the first type of the client's `Accept` that has one,
 * else `application/json`'s, else the first template's; undefined with no templates (the body passes through).
 */
export function templateType(
  templates: Readonly<Record<string, string>>,
  accept: string | undefined,
): string | undefined {
  const types = Object.keys(templates);
  const wanted = (accept ?? '')
    .split(',')
    .map((t) => t.split(';')[0]?.trim().toLowerCase() ?? '')
    .filter((t) => t !== '' && t !== '*/*');
  for (const t of wanted) {
    const found = types.find((k) => k.toLowerCase() === t);
    if (found !== undefined) return found;
  }
  return types.find((k) => k.toLowerCase() === 'application/json') ?? types[0];
}

/** The value a response parameter maps to its header, or undefined when its source has none. */
function parameterValue(
  source: string,
  backend: BackendResponse,
  request: IntegrationRequest,
): string | undefined {
  const literal = /^'(.*)'$/s.exec(source);
  if (literal) return literal[1];
  const [scope, ...rest] = source.split('.');
  const name = rest.join('.');
  if (scope === 'stageVariables') return request.input.stageVariables?.[name];
  if (scope === 'context') return text(dig(request.input.context, rest));
  if (source === 'integration.response.body') return backend.body;
  const header = /^integration\.response\.(header|multivalueheader)\.(.+)$/.exec(source);
  if (header) {
    const wanted = (header[2] ?? '').toLowerCase();
    const found = Object.entries(backend.headers).find(([k]) => k.toLowerCase() === wanted)?.[1];
    if (found === undefined) return undefined;
    return typeof found === 'string' ? found : header[1] === 'header' ? found.at(-1) : found.join(',');
  }
  const path = /^integration\.response\.body\.(.+)$/.exec(source)?.[1];
  if (path !== undefined) return text(jsonPath(backend.body, `$.${path}`));
  return undefined;
}

function dig(value: unknown, path: readonly string[]): unknown {
  let at = value;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

function jsonPath(body: string, path: string): unknown {
  try {
    return JSONPath({ path, json: JSON.parse(body) as object, wrap: false });
  } catch {
    return undefined;
  }
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function stringValues(values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]));
}
