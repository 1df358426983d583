import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { parseValue, requireEnv } from '@conflux/handler-kit';
import { logger } from '@conflux/handler-kit';
import { allowedMethodArns, bearerToken, parseMethodArn, policyFor, type RouteScopes } from './domain.js';
import { createVerifier, TokenRejectedError } from './verifier.js';
import {
  JWKS_JSON,
  JWKS_URL,
  JWT_ALGORITHMS,
  JWT_AUDIENCE,
  JWT_AUDIENCE_CLAIM,
  JWT_ISSUER,
  JWT_SCOPE_PREFIX,
  ROUTE_SCOPES,
} from '@conflux/constructs/contracts';

const routes: RouteScopes = parseValue(
  z.record(z.string(), z.array(z.string())),
  JSON.parse(requireEnv(ROUTE_SCOPES)),
  ROUTE_SCOPES,
);
const jwksUrl = process.env[JWKS_URL];
const verify = createVerifier({
  issuer: requireEnv(JWT_ISSUER),
  audience: requireEnv(JWT_AUDIENCE)
    .split(',')
    .map((a) => a.trim()),
  audienceClaim: process.env[JWT_AUDIENCE_CLAIM] === 'client_id' ? 'client_id' : 'aud',
  scopePrefix: process.env[JWT_SCOPE_PREFIX],
  algorithms: (process.env[JWT_ALGORITHMS] ?? 'RS256').split(',').map((a) => a.trim()),
  jwks: jwksUrl ? { url: jwksUrl } : { keys: JSON.parse(requireEnv(JWKS_JSON)) as { keys: [] } },
});

/** API Gateway's answer to an unusable token: 401, and the function's error message must be exactly this. */
const unauthorized = () => new Error('Unauthorized');

/**
 * TOKEN authorizer: verifies the bearer JWT and returns a policy allowing exactly the routes its scopes
 * cover, with `sub`, `scopes` and `clientId` as context for the handlers.
 */
export const handler = async (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
  const token = bearerToken(event.authorizationToken);
  const arn = parseMethodArn(event.methodArn);
  if (!token || !arn) throw unauthorized();
  try {
    const verified = await verify(token);
    return policyFor(verified.sub, allowedMethodArns(routes, verified.scopes, arn.prefix), arn.prefix, {
      sub: verified.sub,
      scopes: verified.scopes.join(' '),
      clientId: verified.clientId,
    });
  } catch (error: unknown) {
    if (!(error instanceof TokenRejectedError)) throw error;
    logger.warn('token rejected', { reason: error.message });
    throw unauthorized();
  }
};
