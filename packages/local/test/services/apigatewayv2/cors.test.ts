import { describe, expect, it } from 'vitest';
import { isPreflight, preflightHeaders, withCorsHeaders } from '../../../src/services/apigatewayv2/cors.js';
import type { CorsSpec } from '../../../src/services/apigatewayv2/types.js';

const cors = (overrides: Partial<CorsSpec> = {}): CorsSpec => ({
  allowOrigins: ['https://*.example.com'],
  allowMethods: ['GET'],
  allowHeaders: [],
  exposeHeaders: [],
  allowCredentials: false,
  ...overrides,
});

describe('HTTP API CORS', () => {
  it('takes only an OPTIONS request with Origin and Access-Control-Request-Method for a preflight', () => {
    // GIVEN OPTIONS requests with and without the preflight headers
    // THEN only the one with both is a preflight
    expect(isPreflight('OPTIONS', { origin: ['https://a'], 'access-control-request-method': ['GET'] })).toBe(
      true,
    );
    expect(isPreflight('OPTIONS', { origin: ['https://a'] })).toBe(false);
    expect(isPreflight('GET', { origin: ['https://a'], 'access-control-request-method': ['GET'] })).toBe(
      false,
    );
  });

  it('lets * in an allowed origin stand for any subdomain', () => {
    // GIVEN an allowed origin with a wildcard
    // WHEN a subdomain and another domain ask
    // THEN only the subdomain is allowed, by its own origin
    expect(preflightHeaders(cors(), 'https://app.example.com')).toMatchObject({
      'access-control-allow-origin': 'https://app.example.com',
    });
    expect(preflightHeaders(cors(), 'https://example.org')).toEqual({});
  });

  it('answers any origin with * unless credentials are allowed, then with the origin itself', () => {
    // GIVEN AllowOrigins ["*"], with and without AllowCredentials
    const open = withCorsHeaders(cors({ allowOrigins: ['*'] }), 'https://x.test', {});
    const credentialed = withCorsHeaders(
      cors({ allowOrigins: ['*'], allowCredentials: true }),
      'https://x.test',
      {},
    );
    // THEN the origin header is * without credentials, the caller's origin with them
    expect(open['access-control-allow-origin']).toBe('*');
    expect(credentialed).toMatchObject({
      'access-control-allow-origin': 'https://x.test',
      'access-control-allow-credentials': 'true',
    });
  });

  it("drops the integration's own Access-Control-* headers", () => {
    // GIVEN an integration answer with its own CORS header and another header
    const headers = withCorsHeaders(cors(), 'https://evil.test', {
      'Access-Control-Allow-Origin': '*',
      'x-id': '1',
    });
    // THEN only the other header is kept for an origin that is not allowed
    expect(headers).toEqual({ 'x-id': '1' });
  });
});
