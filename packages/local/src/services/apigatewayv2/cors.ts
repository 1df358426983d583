/**
 * An API's `CorsConfiguration`, as HTTP APIs apply it: a preflight (`OPTIONS` with `Origin` and
 * `Access-Control-Request-Method`) that no route takes is answered by the gateway, 204 with the configured
 * headers; a request with an `Origin` gets `Access-Control-Allow-Origin` (and `-Credentials`,
 * `-Expose-Headers`) on its answer, and the integration's own `Access-Control-*` headers are dropped. An
 * origin that is not allowed gets no CORS header. `*` in an allowed origin stands for any run of characters
 * (`https://*.example.com`).
 */
import type { CorsSpec } from './types.js';

/** Whether a request is a CORS preflight. */
export function isPreflight(method: string, headers: Readonly<Record<string, string[]>>): boolean {
  return (
    method === 'OPTIONS' &&
    headers.origin !== undefined &&
    headers['access-control-request-method'] !== undefined
  );
}

function allowedOrigin(cors: CorsSpec, origin: string | undefined): string | undefined {
  if (origin === undefined) return undefined;
  for (const allowed of cors.allowOrigins) {
    if (allowed === '*') return cors.allowCredentials ? origin : '*';
    const pattern = allowed
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    if (new RegExp(`^${pattern}$`, 'i').test(origin)) return origin;
  }
  return undefined;
}

/** The headers of the gateway's answer to a preflight. */
export function preflightHeaders(cors: CorsSpec, origin: string | undefined): Record<string, string> {
  const allowOrigin = allowedOrigin(cors, origin);
  if (allowOrigin === undefined) return {};
  return {
    'access-control-allow-origin': allowOrigin,
    ...(cors.allowMethods.length > 0 ? { 'access-control-allow-methods': cors.allowMethods.join(',') } : {}),
    ...(cors.allowHeaders.length > 0 ? { 'access-control-allow-headers': cors.allowHeaders.join(',') } : {}),
    ...(cors.maxAge !== undefined ? { 'access-control-max-age': String(cors.maxAge) } : {}),
    ...(cors.allowCredentials ? { 'access-control-allow-credentials': 'true' } : {}),
  };
}

/** An answer's headers with the API's CORS headers in place of the integration's. */
export function withCorsHeaders(
  cors: CorsSpec,
  origin: string | undefined,
  headers: Record<string, string | string[]>,
): Record<string, string | string[]> {
  const kept = Object.fromEntries(
    Object.entries(headers).filter(([name]) => !name.toLowerCase().startsWith('access-control-')),
  );
  const allowOrigin = allowedOrigin(cors, origin);
  if (allowOrigin === undefined) return kept;
  return {
    ...kept,
    'access-control-allow-origin': allowOrigin,
    ...(cors.allowCredentials ? { 'access-control-allow-credentials': 'true' } : {}),
    ...(cors.exposeHeaders.length > 0
      ? { 'access-control-expose-headers': cors.exposeHeaders.join(',') }
      : {}),
  };
}
