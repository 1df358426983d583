import { RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config';

const from = (context: Record<string, unknown>) => (key: string) => context[key];

describe('loadConfig', () => {
  it('defaults to an environment-agnostic dev deployment', () => {
    expect(loadConfig(from({}))).toEqual({
      api: expect.objectContaining({ auth: { kind: 'cognito' }, waf: true }) as unknown,
      stage: 'dev',
      account: undefined,
      region: undefined,
      removalPolicy: RemovalPolicy.DESTROY,
      logRetention: logs.RetentionDays.ONE_MONTH,
      alarmEmail: undefined,
      consumerMaxConcurrency: 5,
      lakeBufferSeconds: 60,
      etlSettleSeconds: 60,
      replication: {
        replicaRegions: [],
        families: { readModels: 'single-region', orders: 'single-region', stock: 'single-region' },
      },
    });
  });

  it('buffers the lake 60 s in dev and AWS’s 300 s elsewhere, unless told', () => {
    // GIVEN no setting, another stage, and a setting from -c
    const dev = loadConfig(from({}));
    const prod = loadConfig(from({ 'conflux:stage': 'prod' }));
    const quick = loadConfig(from({ 'conflux:lakeBufferSeconds': '0' }));
    // THEN each stage has its default and the setting wins
    expect([dev.lakeBufferSeconds, prod.lakeBufferSeconds, quick.lakeBufferSeconds]).toEqual([60, 300, 0]);
  });

  it('reads strings from -c and numbers from cdk.json alike', () => {
    const config = loadConfig(
      from({
        'conflux:stage': 'prod',
        'conflux:account': '123456789012',
        'conflux:region': 'eu-west-1',
        'conflux:logRetentionDays': '90',
        'conflux:consumerMaxConcurrency': 50,
        'conflux:alarmEmail': 'ops@example.com',
      }),
    );
    expect(config).toMatchObject({
      stage: 'prod',
      account: '123456789012',
      region: 'eu-west-1',
      logRetention: logs.RetentionDays.THREE_MONTHS,
      consumerMaxConcurrency: 50,
      alarmEmail: 'ops@example.com',
      // prod keeps its data unless told otherwise
      removalPolicy: RemovalPolicy.RETAIN,
    });
  });

  it.each([
    ['stage', 'Prod!', /conflux:stage = "Prod!" is not valid: lower-case letters/],
    ['account', '1234', /conflux:account = "1234" is not valid: a 12-digit AWS account id/],
    ['region', 'mars-1', /conflux:region = "mars-1" is not valid: an AWS region name/],
    ['removalPolicy', 'keep', /conflux:removalPolicy = "keep" is not valid: one of "retain", "destroy"/],
    [
      'logRetentionDays',
      '31',
      /conflux:logRetentionDays = 31 is not valid: one of CloudWatch's retention periods: 1, 3, 5, 7/,
    ],
    [
      'logRetentionDays',
      'a month',
      /conflux:logRetentionDays = "a month" is not valid: a whole number from 1 to 3653/,
    ],
    ['alarmEmail', 'ops', /conflux:alarmEmail = "ops" is not valid: an email address/],
    [
      'consumerMaxConcurrency',
      1,
      /conflux:consumerMaxConcurrency = 1 is not valid: a whole number from 2 to 1000/,
    ],
    ['lakeBufferSeconds', 901, /conflux:lakeBufferSeconds = 901 is not valid: a whole number from 0 to 900/],
    ['etlSettleSeconds', -1, /conflux:etlSettleSeconds = -1 is not valid: a whole number from 0 to 3600/],
  ])('fails naming the key, the value and what is allowed when %s is %j', (key, value, message) => {
    expect(() => loadConfig(from({ [`conflux:${key}`]: value }))).toThrow(message);
  });

  it('lists every bad key at once', () => {
    const load = () => loadConfig(from({ 'conflux:stage': 'X', 'conflux:region': 'nowhere' }));
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/conflux:stage[\s\S]*conflux:region/);
  });
});

describe('loadConfig: the API', () => {
  it('defaults to Cognito, free and partner tiers, WAF on, no CORS and v1 deprecated', () => {
    const { api } = loadConfig(from({}));
    expect(api.auth).toEqual({ kind: 'cognito' });
    expect(Object.keys(api.tiers).sort()).toEqual(['free', 'partner']);
    expect(api.tiers.free).toEqual({ rate: 5, burst: 10, quotaPerDay: 1000, limit: 60, windowSeconds: 60 });
    expect(api.waf).toBe(true);
    expect(api.corsOrigins).toEqual([]);
    expect(api.deprecations.v1?.sunset.toISOString()).toBe('2027-06-30T00:00:00.000Z');
  });

  it('reads an OIDC issuer and API settings given as JSON text with -c', () => {
    const { api } = loadConfig(
      from({
        'conflux:auth': JSON.stringify({
          issuer: 'https://login.example.com/',
          audience: 'conflux',
          algorithms: ['ES256'],
          jwksUrl: 'https://login.example.com/.well-known/jwks.json',
        }),
        'conflux:api': JSON.stringify({ corsOrigins: ['https://app.example.com'], waf: false }),
      }),
    );
    expect(api.auth).toEqual({
      kind: 'oidc',
      issuer: 'https://login.example.com/',
      audience: 'conflux',
      algorithms: ['ES256'],
      jwksUrl: 'https://login.example.com/.well-known/jwks.json',
    });
    expect(api.corsOrigins).toEqual(['https://app.example.com']);
    expect(api.waf).toBe(false);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'an issuer with both key sources',
      {
        'conflux:auth': {
          issuer: 'https://i.example',
          audience: 'a',
          algorithms: ['RS256'],
          jwksUrl: 'https://i.example/jwks',
          jwks: { keys: [{ kty: 'RSA' }] },
        },
      },
      /conflux:auth is not valid: .*exactly one of jwksUrl/,
    ],
    [
      'a symmetric algorithm',
      {
        'conflux:auth': {
          issuer: 'https://i.example',
          audience: 'a',
          algorithms: ['HS256'],
          jwksUrl: 'https://i.example/j',
        },
      },
      /conflux:auth.algorithms.0 is not valid/,
    ],
    [
      'a tier missing a limit',
      {
        'conflux:api': {
          tiers: { free: { rate: 1, burst: 1, quotaPerDay: 1, windowSeconds: 60 }, partner: {} },
        },
      },
      /conflux:api.tiers.free.limit is not valid/,
    ],
    ['no partner tier', { 'conflux:api': { tiers: {} } }, /tiers "free" and "partner" are required/],
    [
      'a sunset before the deprecation',
      { 'conflux:api': { deprecations: { v1: { deprecated: '2027-01-01', sunset: '2026-01-01' } } } },
      /conflux:api.deprecations.v1 is not valid: sunset must come after deprecated/,
    ],
    ['an unknown setting', { 'conflux:api': { wafs: true } }, /conflux:api is not valid: .*wafs/],
    ['text that is not JSON', { 'conflux:api': '{oops' }, /conflux:api is not valid: its text is not JSON/],
  ])('fails on %s, naming the field', (_name, context, message) => {
    expect(() => loadConfig(from(context))).toThrow(message);
  });
});
