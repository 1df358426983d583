import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';

/** Lambda's own transient errors: retried; any other error fails the execution. */
export const LAMBDA_TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

/** What the ETL state machine's definition is built from. */
export interface EtlDefinitionProps {
  readonly pipeline: string;
  readonly bucketName: string;
  readonly settle: Duration;
  readonly table: dynamodb.ITable;
  readonly extract: lambda.IFunction;
  readonly transform: lambda.IFunction;
  readonly load: lambda.IFunction;
}

/** Where a first run's window starts: the ETL contract's epoch, as the handler kit writes it. */
export const ETL_EPOCH = '1970-01-01T00:00:00.000Z';

/** The DynamoDB errors of Step Functions' integration that a retry can cure: throttling and 5xx. */
export const DYNAMODB_TRANSIENT_ERRORS = [
  'DynamoDB.AmazonDynamoDBException',
  'DynamoDB.InternalServerErrorException',
  'DynamoDB.ProvisionedThroughputExceededException',
  'DynamoDB.RequestLimitExceeded',
  'DynamoDB.ThrottlingException',
] as const;

/**
 * The ETL contract's state machine (JSONPath): Prepare → ReadWatermark → Extract → Transform → Load →
 * (a non-empty window) AdvanceWatermark, which moves the watermark forward only and never over a gap: only
 * when the window starts at or before it (at the epoch when none is stored) and ends after it. Otherwise
 * the run ends `WatermarkKept`: a re-run of an older window, or a manual run from a `since` past the
 * watermark, whose rows before `since` the next scheduled run still covers.
 */
export function etlDefinition(scope: Construct, p: EtlDefinitionProps): sfn.IChainable {
  const key = { pipeline: tasks.DynamoAttributeValue.fromString(p.pipeline) };
  const base = {
    pipeline: p.pipeline,
    bucket: p.bucketName,
    settleMs: p.settle.toMilliseconds(),
    'executionArn.$': '$$.Execution.Id',
    'startedAt.$': '$$.Execution.StartTime',
  };
  const step = (id: string, fn: lambda.IFunction, payload: Record<string, unknown>, resultPath: string) => {
    const task = new tasks.LambdaInvoke(scope, id, {
      lambdaFunction: fn,
      payload: sfn.TaskInput.fromObject({ ...base, ...payload }),
      resultSelector: { 'result.$': '$.Payload' },
      resultPath,
      retryOnServiceExceptions: false,
    });
    task.addRetry({
      errors: [...LAMBDA_TRANSIENT_ERRORS],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 3,
    });
    return task;
  };

  // JSONPath cannot default a missing field: keep the execution input whole under $.input.
  const prepare = new sfn.Pass(scope, 'Prepare', { parameters: { 'input.$': '$' } });
  const readWatermark = new tasks.DynamoGetItem(scope, 'ReadWatermark', {
    table: p.table,
    key,
    consistentRead: true,
    resultPath: '$.stored',
  });
  const extract = step('Extract', p.extract, { 'input.$': '$.input', 'stored.$': '$.stored' }, '$.extract');
  const transform = step(
    'Transform',
    p.transform,
    { 'window.$': '$.extract.result.window', 'staged.$': '$.extract.result.staged' },
    '$.transform',
  );
  const load = step(
    'Load',
    p.load,
    { 'window.$': '$.extract.result.window', 'staged.$': '$.transform.result.staged' },
    '$.load',
  );
  const advance = new tasks.DynamoUpdateItem(scope, 'AdvanceWatermark', {
    table: p.table,
    key,
    updateExpression: 'SET watermark = :to, lastExecution = :exec',
    // ISO 8601 UTC with milliseconds throughout (the window's bounds are normalised), so strings compare
    // as instants.
    conditionExpression: 'attribute_not_exists(watermark) OR (watermark < :to AND watermark >= :from)',
    expressionAttributeValues: {
      ':to': tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.extract.result.window.to')),
      ':from': tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.extract.result.window.from')),
      ':exec': tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$$.Execution.Id')),
    },
    resultPath: sfn.JsonPath.DISCARD,
  });
  for (const dynamo of [readWatermark, advance]) {
    dynamo.addRetry({
      errors: [...DYNAMODB_TRANSIENT_ERRORS],
      interval: Duration.seconds(1),
      backoffRate: 2,
      maxAttempts: 3,
    });
  }
  const kept = new sfn.Succeed(scope, 'WatermarkKept');
  advance.addCatch(kept, {
    errors: ['DynamoDB.ConditionalCheckFailedException'],
    resultPath: '$.watermarkKept',
  });
  // An empty window (to <= from, e.g. a `since` after the settle horizon) loads nothing and moves nothing.
  // A first run (no watermark stored) from a `since` past the epoch would leave the rows before it behind.
  const gapBeforeFirstRun = sfn.Condition.and(
    sfn.Condition.isNotPresent('$.stored.Item'),
    sfn.Condition.not(sfn.Condition.stringEquals('$.extract.result.window.from', ETL_EPOCH)),
  );
  const windowHasRows = new sfn.Choice(scope, 'WindowEmpty')
    .when(gapBeforeFirstRun, kept)
    .when(
      sfn.Condition.stringGreaterThanJsonPath('$.extract.result.window.to', '$.extract.result.window.from'),
      advance.next(new sfn.Succeed(scope, 'WatermarkAdvanced')),
    )
    .otherwise(new sfn.Succeed(scope, 'NothingToAdvance'));

  return prepare.next(readWatermark).next(extract).next(transform).next(load).next(windowHasRows);
}
