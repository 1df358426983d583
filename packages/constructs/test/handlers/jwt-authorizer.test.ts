import {
  CompactSign,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  SignJWT,
  type JWK,
  type JSONWebKeySet,
} from 'jose';
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  allowedMethodArns,
  parseMethodArn,
  policyFor,
  routeOf,
  type RouteScopes,
} from '../../handlers/jwt-authorizer/domain.js';
import type { handler as AuthorizerHandler } from '../../handlers/jwt-authorizer/handler.js';
import { createVerifier, TokenRejectedError } from '../../handlers/jwt-authorizer/verifier.js';
import { DEV_ISSUER, devIssuerKeys, issueDevToken } from '@conflux/local';

const issuer = 'https://issuer.test/';
const audience = 'conflux-api';
const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

describe('JWT verifier: the attack suite', () => {
  let jwks: JSONWebKeySet;
  let sign: (
    claims: Record<string, unknown>,
    options?: { header?: Record<string, unknown>; exp?: number | null; key?: 'good' | 'other' },
  ) => Promise<string>;
  /** Signs a claims set given as JSON text, for values `SignJWT` will not write. */
  let signText: (claimsJson: string) => Promise<string>;
  let publicPem: string;
  let verify: ReturnType<typeof createVerifier>;

  beforeAll(async () => {
    const good = await generateKeyPair('RS256', { extractable: true });
    const other = await generateKeyPair('RS256', { extractable: true });
    const publicJwk: JWK = { ...(await exportJWK(good.publicKey)), kid: 'good-key', alg: 'RS256' };
    jwks = { keys: [publicJwk] };
    publicPem = await exportSPKI(good.publicKey);
    sign = async (claims, options = {}) => {
      const now = Math.floor(Date.now() / 1000);
      let jwt = new SignJWT({ scope: 'orders:write', client_id: 'web', ...claims }).setProtectedHeader({
        alg: 'RS256',
        kid: 'good-key',
        ...options.header,
      });
      if (!('iat' in claims)) jwt = jwt.setIssuedAt(now);
      if (!('sub' in claims)) jwt = jwt.setSubject('user-1');
      if (options.exp !== null) jwt = jwt.setExpirationTime(options.exp ?? now + 300);
      if (!('iss' in claims)) jwt = jwt.setIssuer(issuer);
      if (!('aud' in claims)) jwt = jwt.setAudience(audience);
      return jwt.sign(options.key === 'other' ? other.privateKey : good.privateKey);
    };
    signText = (claimsJson) =>
      new CompactSign(new TextEncoder().encode(claimsJson))
        .setProtectedHeader({ alg: 'RS256', kid: 'good-key' })
        .sign(good.privateKey);
    verify = createVerifier({
      issuer,
      audience,
      algorithms: ['RS256'],
      jwks: { keys: jwks },
      clockToleranceSeconds: 30,
    });
  });

  it('accepts a good token and reads its subject, scopes and client', async () => {
    const token = await sign({ scope: 'orders:write accounts:read' });
    await expect(verify(token)).resolves.toMatchObject({
      sub: 'user-1',
      scopes: ['orders:write', 'accounts:read'],
      clientId: 'web',
    });
  });

  const rejected = async (token: string, reason: RegExp) => {
    const outcome = verify(token);
    await expect(outcome).rejects.toThrow(TokenRejectedError);
    await expect(outcome).rejects.toThrow(reason);
  };

  it('refuses alg none', async () => {
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'user-1', iss: issuer, aud: audience, exp: 4102444800 })}.`;
    await rejected(token, /JOSEAlgNotAllowed|Unsupported|alg/i);
  });

  it('refuses HS256 signed with the public key (algorithm confusion)', async () => {
    const header = b64({ alg: 'HS256', kid: 'good-key' });
    const payload = b64({
      sub: 'user-1',
      iss: issuer,
      aud: audience,
      exp: 4102444800,
      scope: 'orders:write',
    });
    const signature = createHmac('sha256', publicPem).update(`${header}.${payload}`).digest('base64url');
    await rejected(`${header}.${payload}.${signature}`, /JOSEAlgNotAllowed|alg/i);
  });

  it('refuses an expired token beyond the clock skew', async () => {
    await rejected(await sign({}, { exp: Math.floor(Date.now() / 1000) - 120 }), /exp/);
  });

  it('refuses a token not yet valid beyond the clock skew', async () => {
    await rejected(await sign({ nbf: Math.floor(Date.now() / 1000) + 600 }), /nbf/);
  });

  it('refuses a token without exp', async () => {
    await rejected(await sign({}, { exp: null }), /exp/);
  });

  it('refuses a token issued in the future beyond the clock skew', async () => {
    await rejected(await sign({ iat: Math.floor(Date.now() / 1000) + 600 }), /"iat" claim is in the future/);
  });

  it('accepts a token issued in the future within the clock skew', async () => {
    await expect(verify(await sign({ iat: Math.floor(Date.now() / 1000) + 20 }))).resolves.toMatchObject({
      sub: 'user-1',
    });
  });

  it.each([
    ['iat', '"1700000000"'],
    ['nbf', '[0]'],
    ['exp', '"4102444800"'],
    ['exp', '1e400'],
  ])('refuses a token whose %s is %s, not a finite number', async (claim, json) => {
    const claims = { sub: 'user-1', iss: issuer, aud: audience, exp: 4102444800 };
    const text = JSON.stringify(claims).replace(/}$/, `,"${claim}":${json}}`);
    await rejected(await signText(text), new RegExp(`"${claim}" claim must be a (finite )?number`));
  });

  it.each([
    ['a number', 42],
    ['an object', { id: 'user-1' }],
    ['an array', ['user-1']],
    ['a boolean', true],
    ['missing', undefined],
    ['empty', ''],
  ])('refuses a token whose sub is %s', async (_, sub) => {
    await rejected(await sign({ sub }), /"sub" claim/);
  });

  it.each([
    ['client_id', 42],
    ['client_id', ['web']],
    ['azp', { id: 'web' }],
    ['scope', ['orders:write']],
    ['scope', 1],
  ])('refuses a token whose %s is %j, not a string', async (claim, value) => {
    await rejected(await sign({ [claim]: value }), new RegExp(`"${claim}" claim must be a string`));
  });

  it('refuses a wrong issuer and a wrong audience', async () => {
    await rejected(await sign({ iss: 'https://evil.test/' }), /iss/);
    await rejected(await sign({ aud: 'someone-else' }), /aud/);
  });

  it('refuses an unknown kid, even when signed by a real key', async () => {
    await rejected(
      await sign({}, { header: { kid: 'attacker-key' }, key: 'other' }),
      /JWKSNoMatchingKey|no applicable key/i,
    );
  });

  it('refuses a tampered payload', async () => {
    const [header, , signature] = (await sign({ scope: 'orders:read' })).split('.');
    const forged = b64({
      sub: 'admin',
      iss: issuer,
      aud: audience,
      exp: 4102444800,
      scope: 'orders:write admin',
    });
    await rejected(`${header ?? ''}.${forged}.${signature ?? ''}`, /signature/i);
  });

  it('refuses a token whose header points at its own keys (jku)', async () => {
    await rejected(
      await sign({}, { header: { jku: 'https://evil.test/jwks.json' }, key: 'other' }),
      /own key source \(jku\)/,
    );
  });
  it('checks client_id instead of aud for issuers like Cognito, and strips their scope prefix', async () => {
    const cognitoLike = createVerifier({
      issuer,
      audience: ['client-a', 'client-b'],
      audienceClaim: 'client_id',
      scopePrefix: 'conflux/',
      algorithms: ['RS256'],
      jwks: { keys: jwks },
    });
    const token = await sign({
      aud: undefined,
      client_id: 'client-b',
      scope: 'conflux/orders:write other/x',
    });
    await expect(cognitoLike(token)).resolves.toMatchObject({
      clientId: 'client-b',
      scopes: ['orders:write'],
    });
    const stranger = await sign({ aud: undefined, client_id: 'client-z' });
    await expect(cognitoLike(stranger)).rejects.toThrow(/client_id is not an accepted audience/);
  });
});

describe('route scopes and policies', () => {
  const routes: RouteScopes = {
    'GET /v1/health': [],
    'POST /v1/orders': ['orders:write'],
    'GET /v1/orders/{id}': ['orders:read'],
  };
  const methodArn = 'arn:aws:execute-api:us-east-1:000000000000:abc123/dev/POST/v1/orders';

  it('finds the route of a request path', () => {
    expect(routeOf(routes, 'GET', 'v1/orders/o-1')).toBe('GET /v1/orders/{id}');
    expect(routeOf(routes, 'DELETE', 'v1/orders/o-1')).toBeUndefined();
  });

  it('allows only the routes the scopes cover, as ARN patterns', () => {
    const prefix = parseMethodArn(methodArn)?.prefix ?? '';
    expect(allowedMethodArns(routes, ['orders:read'], prefix)).toEqual([
      `${prefix}/GET/v1/health`,
      `${prefix}/GET/v1/orders/*`,
    ]);
  });

  it('denies the whole API when the token may call nothing', () => {
    const prefix = parseMethodArn(methodArn)?.prefix ?? '';
    expect(policyFor('u', [], prefix, {}).policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: `${prefix}/*` },
    ]);
  });
});

describe('authorizer handler', () => {
  const methodArn = (verb: string, path: string) =>
    `arn:aws:execute-api:us-east-1:000000000000:abc123/dev/${verb}/${path}`;
  let handler: typeof AuthorizerHandler;
  let token: (scopes: string) => Promise<string>;

  beforeAll(async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'conflux-authz-'));
    const { jwks } = await devIssuerKeys(stateDir);
    process.env.JWT_ISSUER = DEV_ISSUER.issuer;
    process.env.JWT_AUDIENCE = DEV_ISSUER.audience;
    process.env.JWKS_JSON = JSON.stringify(jwks);
    process.env.ROUTE_SCOPES = JSON.stringify({
      'GET /v1/health': [],
      'POST /v1/orders': ['orders:write'],
      'GET /v1/orders/{id}': ['orders:read'],
    });
    ({ handler } = await import('../../handlers/jwt-authorizer/handler.js'));
    token = (scopes) => issueDevToken(stateDir, { subject: 'user-9', scopes, clientId: 'cli' });
  });

  const authorize = (authorizationToken: string) =>
    handler({ type: 'TOKEN', methodArn: methodArn('GET', 'v1/health'), authorizationToken });

  it('allows the routes the scopes cover and passes sub, scopes and client id on', async () => {
    const result = await handler({
      type: 'TOKEN',
      methodArn: methodArn('POST', 'v1/orders'),
      authorizationToken: `Bearer ${await token('orders:write')}`,
    });
    expect(result.principalId).toBe('user-9');
    expect(result.context).toEqual({ sub: 'user-9', scopes: 'orders:write', clientId: 'cli' });
    expect(result.policyDocument.Statement[0]).toMatchObject({
      Effect: 'Allow',
      Resource: [methodArn('GET', 'v1/health'), methodArn('POST', 'v1/orders')],
    });
  });

  it('leaves out a route the scopes do not cover, so API Gateway denies it', async () => {
    const result = await handler({
      type: 'TOKEN',
      methodArn: methodArn('POST', 'v1/orders'),
      authorizationToken: `Bearer ${await token('orders:read')}`,
    });
    expect(JSON.stringify(result.policyDocument)).not.toContain('/POST/v1/orders');
  });

  it.each(['', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Bearer not-a-jwt', 'Bearer a.b.c'])(
    'answers Unauthorized for %j',
    async (authorizationToken) => {
      await expect(authorize(authorizationToken)).rejects.toThrow(/^Unauthorized$/);
    },
  );

  it.each(['bearer <jwt>', 'BEARER <jwt>', 'Bearer   <jwt>'])(
    'matches the scheme in any case, with one or more spaces: %j',
    async (header) => {
      // GIVEN
      const jwt = await token('orders:read');

      // WHEN
      const result = await authorize(header.replace('<jwt>', jwt));

      // THEN
      expect(result.principalId).toBe('user-9');
    },
  );

  it.each([
    'Basic <jwt>',
    '<jwt>',
    'Bearer<jwt>',
    'Bearer\t<jwt>',
    ' Bearer <jwt>',
    'Bearer <jwt> ',
    'Bearer <jwt> <jwt>',
    'Bearer <jwt>, Bearer <jwt>',
    'Bearer <header>. <payload>.<signature>',
  ])('answers Unauthorized for a good token in %j', async (header) => {
    // GIVEN
    const jwt = await token('orders:read');
    const [h = '', p = '', s = ''] = jwt.split('.');
    const authorizationToken = header
      .replaceAll('<jwt>', jwt)
      .replace('<header>', h)
      .replace('<payload>', p)
      .replace('<signature>', s);

    // WHEN
    const outcome = authorize(authorizationToken);

    // THEN
    await expect(outcome).rejects.toThrow(/^Unauthorized$/);
  });
});
