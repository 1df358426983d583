import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { bundledCode } from './bundler.js';
import { bundlingFor } from './bundling.js';

/** Why a function behind API Gateway needs no DLQ of its own. */
export const INVOKED_BY_API_GATEWAY =
  'The function is invoked only by API Gateway, synchronously; the caller gets the error. A function DLQ applies to asynchronous invocations only.';

/** How a Conflux function is built; every construct that owns a function uses this. */
export interface ServiceFunctionOptions {
  /**
   * The handler's TypeScript or JavaScript source, bundled with esbuild at synth (in the synthesizing
   * process, see `serviceBundling`).
   * Give this or `code`.
   */
  readonly entry?: string;
  /**
   * Code that is already built (a folder holding `index.js`), deployed as it is: no esbuild at synth. The
   * constructs' own handlers ship this way. Give this or `entry`.
   */
  readonly code?: lambda.Code;
  /** The exported handler function. @default 'handler' */
  readonly handler?: string;
  readonly serviceName: string;
  readonly timeout: Duration;
  readonly memorySize?: number;
  readonly reservedConcurrentExecutions?: number;
  readonly environment?: Record<string, string>;
  readonly logRetention?: logs.RetentionDays;
  readonly alarmTopic?: sns.ITopic;
  /**
   * Bundle the AWS SDK into the asset (tree-shaken) instead of using the one the Lambda runtime provides:
   * the SDK's version is then the one you tested, and the cold start is shorter (one minified file instead
   * of the runtime's many; ~25–30 ms on the largest handler, `npm run bench -- bundles`), at the cost of
   * 300–600 KB of code per function. Only for `entry`. @default false
   */
  readonly bundleAwsSdk?: boolean;
  /**
   * Ship a source map with the code and start Node with `--enable-source-maps`, so stack traces in the logs
   * name TypeScript files and lines. It costs the map's bytes in the asset (3–5 MB for a handler that bundles
   * its dependencies) and Node's source-map support at every error stack. Only for `entry`. @default false
   */
  readonly sourceMaps?: boolean;
  /** Why the function needs no dead-letter queue of its own (who invokes it, and where failures go). */
  readonly noDeadLetterQueueBecause: string;
  /** What an invocation error means for the caller, for the alarm's description. */
  readonly errorMeaning: string;
}

/** The function, its log group, its role and its error alarm, created as children of `scope`. */
export interface ServiceFunctionParts {
  readonly fn: lambda.Function;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;
  readonly errorsAlarm: cloudwatch.Alarm;
}

/**
 * A Node.js 22 function on arm64 with X-Ray, JSON logs in its own log group, its own least-privilege role
 * (no managed policy), and an alarm on invocation errors. Children: `LogGroup`, `ServiceRole`, `Resource`, `Errors`.
 */
export function createServiceFunction(
  scope: Construct,
  options: ServiceFunctionOptions,
): ServiceFunctionParts {
  const logGroup = new logs.LogGroup(scope, 'LogGroup', {
    retention: options.logRetention ?? logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });

  // An own role instead of AWSLambdaBasicExecutionRole: it may write to this function's log group only.
  const role = new iam.Role(scope, 'ServiceRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Execution role of ${scope.node.path}`,
  });
  logGroup.grant(role, 'logs:CreateLogStream', 'logs:PutLogEvents');

  if ((options.entry === undefined) === (options.code === undefined)) {
    throw new Error(
      `${scope.node.path}: a service function needs exactly one of entry (a source file to bundle) and code (built code); it got ${options.entry === undefined ? 'neither' : 'both'}.`,
    );
  }
  if (options.code && (options.bundleAwsSdk !== undefined || options.sourceMaps !== undefined)) {
    throw new Error(
      `${scope.node.path}: bundleAwsSdk and sourceMaps choose how an entry is bundled; code is already built. Drop them, or give entry instead of code.`,
    );
  }
  const common = {
    role,
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    timeout: options.timeout,
    memorySize: options.memorySize ?? 256,
    reservedConcurrentExecutions: options.reservedConcurrentExecutions,
    tracing: lambda.Tracing.ACTIVE,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    environment: {
      POWERTOOLS_SERVICE_NAME: options.serviceName,
      POWERTOOLS_METRICS_NAMESPACE: 'Conflux',
      ...(options.sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
      ...options.environment,
    },
  };
  const fn = new lambda.Function(scope, 'Resource', {
    ...common,
    code: options.code ?? bundledCode(options.entry ?? '', bundlingFor(options)),
    handler: `index.${options.handler ?? 'handler'}`,
  });

  const runtime =
    'Node.js 22 is pinned on purpose: handlers are bundled for node22 and the offline runtime executes the same bundles; move to a newer runtime together with that tooling.';
  Validations.of(fn).acknowledge(
    { id: 'AwsSolutions::AwsSolutions-L1', reason: runtime },
    { id: 'Serverless::Serverless-LambdaLatestVersion', reason: runtime },
    { id: 'Serverless::Serverless-LambdaDLQ', reason: options.noDeadLetterQueueBecause },
  );
  Validations.of(role).acknowledge({
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    reason:
      'The only wildcard is X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords), which supports no resource-level permissions.',
  });

  const errorsAlarm = fn
    .metricErrors({ period: Duration.minutes(1), statistic: 'Sum' })
    .createAlarm(scope, 'Errors', {
      alarmDescription: `${scope.node.path} failed whole invocations: ${options.errorMeaning}`,
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  if (options.alarmTopic) errorsAlarm.addAlarmAction(new cwActions.SnsAction(options.alarmTopic));

  return { fn, logGroup, role, errorsAlarm };
}
