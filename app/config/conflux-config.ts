import { RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { loadApiConfig, type ApiConfig } from './api-config';
import { loadReplicationConfig, REGION_NAME, type ReplicationConfig } from './replication-config';

/** The typed configuration of a Conflux deployment, read from CDK context. */
export interface ConfluxConfig {
  /** Deployment stage; prefixes stack names (`conflux-<stage>-…`). Context `conflux:stage`. */
  readonly stage: string;
  /** Target account, or undefined for an environment-agnostic synth. Context `conflux:account`. */
  readonly account?: string;
  /** Target region, or undefined for an environment-agnostic synth. Context `conflux:region`. */
  readonly region?: string;
  /** What happens to stateful resources on stack deletion. Context `conflux:removalPolicy`. */
  readonly removalPolicy: RemovalPolicy;
  /** Retention of Lambda log groups. Context `conflux:logRetentionDays`. */
  readonly logRetention: logs.RetentionDays;
  /** Where alarm notifications are emailed, if anywhere. Context `conflux:alarmEmail`. */
  readonly alarmEmail?: string;
  /** Upper bound on concurrent invocations per queue consumer. Context `conflux:consumerMaxConcurrency`. */
  readonly consumerMaxConcurrency: number;
  /** The API's auth, tiers, CORS, WAF and version dates. Contexts `conflux:api` and `conflux:auth`. */
  readonly api: ApiConfig;
  /**
   * How long the lake's Firehose streams buffer before delivering, in seconds (0–900). Context
   * `conflux:lakeBufferSeconds`; dev 60 (data queryable within a minute or so), other stages AWS's default 300.
   */
  readonly lakeBufferSeconds: number;
  /**
   * How long a customers write may take to become visible to the nightly ETL's scan, in seconds (0–3600): a
   * run's window ends this long before it starts. Context `conflux:etlSettleSeconds`; 60 on every stage.
   */
  readonly etlSettleSeconds: number;
  /**
   * Replica Regions and each table family's mode (eventual, strong or single-Region). Context
   * `conflux:replication`; absent, every table is single-Region.
   */
  readonly replication: ReplicationConfig;
}

/** Reads context values, as the CDK app's `node.tryGetContext` does. */
export type ContextReader = (key: string) => unknown;

/** Thrown when a context value cannot configure a deployment; lists every bad key at once. */
export class ConfigError extends Error {
  public override readonly name = 'ConfigError';
}

const RETENTION_DAYS = Object.values(logs.RetentionDays).filter(
  (d): d is logs.RetentionDays => typeof d === 'number' && d !== logs.RetentionDays.INFINITE,
);

/**
 * Reads and validates the configuration. Defaults suit a single-account dev deployment.
 * Context values arrive as strings from `-c key=value` and as JSON values from `cdk.json`; both are accepted.
 */
export function loadConfig(read: ContextReader): ConfluxConfig {
  const problems: string[] = [];
  const bad = (key: string, value: unknown, allowed: string) => {
    problems.push(`conflux:${key} = ${JSON.stringify(value)} is not valid: ${allowed}.`);
  };

  const str = (key: string, fallback: string | undefined, pattern: RegExp, allowed: string) => {
    const value = read(`conflux:${key}`);
    if (value === undefined || value === '') return fallback;
    if (typeof value !== 'string' || !pattern.test(value)) {
      bad(key, value, allowed);
      return fallback;
    }
    return value;
  };
  const int = (key: string, fallback: number, min: number, max: number) => {
    const value = read(`conflux:${key}`);
    if (value === undefined || value === '') return fallback;
    const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      bad(key, value, `a whole number from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };

  const stage =
    str(
      'stage',
      'dev',
      /^[a-z][a-z0-9-]{0,15}$/,
      'lower-case letters, digits and "-", starting with a letter, at most 16',
    ) ?? 'dev';
  const account = str('account', undefined, /^\d{12}$/, 'a 12-digit AWS account id');
  const region = str('region', undefined, REGION_NAME, 'an AWS region name such as eu-west-1');
  const removal = str(
    'removalPolicy',
    stage === 'prod' ? 'retain' : 'destroy',
    /^(retain|destroy)$/,
    'one of "retain", "destroy"',
  );
  const days = int('logRetentionDays', 30, 1, 3653);
  const retention = RETENTION_DAYS.find((d) => d.valueOf() === days);
  if (retention === undefined) {
    bad('logRetentionDays', days, `one of CloudWatch's retention periods: ${RETENTION_DAYS.join(', ')}`);
  }
  const alarmEmail = str('alarmEmail', undefined, /^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'an email address');
  const consumerMaxConcurrency = int('consumerMaxConcurrency', 5, 2, 1000);
  const lakeBufferSeconds = int('lakeBufferSeconds', stage === 'dev' ? 60 : 300, 0, 900);
  const etlSettleSeconds = int('etlSettleSeconds', 60, 0, 3600);
  const api = loadApiConfig(read('conflux:api'), read('conflux:auth'), (problem) => problems.push(problem));
  const replication = loadReplicationConfig(read('conflux:replication'), region, (problem) =>
    problems.push(problem),
  );

  if (problems.length > 0) {
    throw new ConfigError(
      `Conflux configuration is invalid (set these with -c key=value or in cdk.json "context"):\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
  }
  return {
    stage,
    account,
    region,
    removalPolicy: removal === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    logRetention: retention ?? logs.RetentionDays.ONE_MONTH,
    alarmEmail,
    consumerMaxConcurrency,
    api,
    lakeBufferSeconds,
    etlSettleSeconds,
    replication,
  };
}
