import { RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../lib/config';

const from = (context: Record<string, unknown>) => (key: string) => context[key];

describe('loadConfig', () => {
  it('defaults to an environment-agnostic dev deployment', () => {
    expect(loadConfig(from({}))).toEqual({
      stage: 'dev',
      account: undefined,
      region: undefined,
      removalPolicy: RemovalPolicy.DESTROY,
      logRetention: logs.RetentionDays.ONE_MONTH,
      alarmEmail: undefined,
      consumerMaxConcurrency: 5,
    });
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
  ])('fails naming the key, the value and what is allowed when %s is %j', (key, value, message) => {
    expect(() => loadConfig(from({ [`conflux:${key}`]: value }))).toThrow(message);
  });

  it('lists every bad key at once', () => {
    const load = () => loadConfig(from({ 'conflux:stage': 'X', 'conflux:region': 'nowhere' }));
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/conflux:stage[\s\S]*conflux:region/);
  });
});
