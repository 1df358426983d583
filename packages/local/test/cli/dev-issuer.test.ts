import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { DEV_ISSUER, devIssuerKeys, issueDevToken, parseTtl } from '../../src/cli/dev-issuer.js';

describe('dev issuer', () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'conflux-issuer-'));

  it('signs a token that verifies against its JWKS with the pinned algorithm, issuer and audience', async () => {
    const token = await issueDevToken(stateDir, {
      subject: 'user-1',
      scopes: 'orders:write accounts:read',
      ttlSeconds: 600,
    });
    const { jwks } = await devIssuerKeys(stateDir);
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
      algorithms: [DEV_ISSUER.algorithm],
      issuer: DEV_ISSUER.issuer,
      audience: DEV_ISSUER.audience,
    });
    expect(protectedHeader).toMatchObject({ alg: 'RS256', kid: jwks.keys[0]?.kid });
    expect(payload).toMatchObject({
      sub: 'user-1',
      scope: 'orders:write accounts:read',
      client_id: 'conflux-dev',
    });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(600);
  });

  it('keeps its key pair across calls, so earlier tokens stay valid', async () => {
    const first = await devIssuerKeys(stateDir);
    const second = await devIssuerKeys(stateDir);
    expect(second.jwks).toEqual(first.jwks);
    expect(first.jwks.keys[0]).not.toHaveProperty('d');
  });

  it.each([
    ['90', 90],
    ['90s', 90],
    ['15m', 900],
    ['1h', 3600],
    ['2d', 172800],
    ['soon', undefined],
    ['0', undefined],
  ])('reads the ttl %s as %s seconds', (text, seconds) => {
    expect(parseTtl(text)).toBe(seconds);
  });
});
