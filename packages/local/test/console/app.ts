import { Duration, Stack, type App } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';

/** The constructs of the console's test app, to find their resources in the running runtime. */
export interface ConsoleApp {
  stack?: Stack;
  orders?: sqs.Queue;
  dlq?: sqs.Queue;
  table?: dynamodb.Table;
  machine?: sfn.StateMachine;
  rule?: events.Rule;
  topic?: sns.Topic;
  stream?: kinesis.Stream;
  schedule?: scheduler.CfnSchedule;
}

const inline = (code: string) => lambda.Code.fromInline(code);

/**
 * A small app with something for every panel of the console: an API (the gateway serves the console), a
 * queue whose consumer always fails (so messages land in its DLQ), a table, a state machine whose reserve
 * step fails on request and is caught by a refund (compensation), a scheduled rule, and a topic with a
 * filtered subscription.
 */
export function consoleApp(fx: ConsoleApp): (app: App) => void {
  return (app) => {
    const stack = new Stack(app, 'Shop');
    fx.stack = stack;
    const api = new lambda.Function(stack, 'Api', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: inline('exports.handler = async () => ({ statusCode: 200, body: "[]" });'),
    });
    const rest = new apigateway.LambdaRestApi(stack, 'Rest', { handler: api, proxy: false });
    rest.root.addResource('orders').addMethod('GET', undefined, { apiKeyRequired: true });
    const plan = rest.addUsagePlan('Plan', {
      name: 'basic',
      throttle: { rateLimit: 10, burstLimit: 5 },
      quota: { limit: 1000, period: apigateway.Period.DAY },
    });
    plan.addApiStage({ stage: rest.deploymentStage });
    plan.addApiKey(rest.addApiKey('Key', { apiKeyName: 'tester' }));

    fx.dlq = new sqs.Queue(stack, 'OrdersDlq');
    fx.orders = new sqs.Queue(stack, 'Orders', {
      visibilityTimeout: Duration.seconds(2),
      deadLetterQueue: { queue: fx.dlq, maxReceiveCount: 1 },
    });
    new lambda.Function(stack, 'Fulfil', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      timeout: Duration.seconds(1),
      code: inline(
        'exports.handler = async (event) => { console.log("fulfilling", event.Records.length); throw new Error("warehouse unreachable"); };',
      ),
    }).addEventSource(new sources.SqsEventSource(fx.orders, { batchSize: 1 }));

    fx.table = new dynamodb.Table(stack, 'Items', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    });

    const reserve = new lambda.Function(stack, 'Reserve', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: inline(
        'exports.handler = async (input) => { if (input.fail) { const e = new Error("out of stock"); e.name = "OutOfStock"; throw e; } return { reserved: true }; };',
      ),
    });
    const refund = new lambda.Function(stack, 'Refund', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: inline('exports.handler = async () => { console.log("refunded"); return { refunded: true }; };'),
    });
    const compensate = new tasks.LambdaInvoke(stack, 'RefundPayment', {
      lambdaFunction: refund,
      resultPath: '$.refund',
    }).next(new sfn.Fail(stack, 'OrderFailed', { error: 'OrderFailed', cause: 'reservation failed' }));
    const definition = new tasks.LambdaInvoke(stack, 'ReserveStock', {
      lambdaFunction: reserve,
      payloadResponseOnly: true,
      resultPath: '$.reservation',
    })
      .addCatch(compensate, { errors: ['States.ALL'], resultPath: '$.error' })
      .next(new sfn.Succeed(stack, 'Done'));
    fx.machine = new sfn.StateMachine(stack, 'Checkout', {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
    });

    fx.rule = new events.Rule(stack, 'Nightly', {
      schedule: events.Schedule.rate(Duration.hours(1)),
      targets: [new targets.LambdaFunction(refund)],
    });

    fx.stream = new kinesis.Stream(stack, 'Clicks', { shardCount: 1 });
    new lambda.Function(stack, 'CountClicks', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: inline('exports.handler = async (event) => { console.log("clicks", event.Records.length); };'),
    }).addEventSource(
      new sources.KinesisEventSource(fx.stream, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 10,
      }),
    );

    const role = new iam.Role(stack, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
    });
    refund.grantInvoke(role);
    fx.schedule = new scheduler.CfnSchedule(stack, 'Reconcile', {
      scheduleExpression: 'rate(30 minutes)',
      flexibleTimeWindow: { mode: 'OFF' },
      target: { arn: refund.functionArn, roleArn: role.roleArn },
    });

    fx.topic = new sns.Topic(stack, 'OrderEvents');
    fx.topic.addSubscription(
      new subscriptions.SqsSubscription(fx.orders, {
        filterPolicy: { kind: sns.SubscriptionFilter.stringFilter({ allowlist: ['placed'] }) },
      }),
    );
  };
}
