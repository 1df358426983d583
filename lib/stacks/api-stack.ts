import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { ConfluxConfig } from '../config';
import { createServiceFunction } from '../constructs/private/service-function';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const lambdasDir = path.join(root, 'lambdas');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };

/** Properties of the {@link ApiStack}. */
export interface ApiStackProps extends StackProps {
  readonly config: ConfluxConfig;
  /** Where the API's alarms notify. */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * The reference application's REST API. This first slice serves `GET /v1/health`; later routes add to the
 * `v1` resource and the same stage, access log, WAF and throttling.
 */
export class ApiStack extends Stack {
  /** The REST API. */
  public readonly api: apigw.RestApi;
  /** The `/v1` resource, under which version-1 routes are added. */
  public readonly v1: apigw.Resource;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config } = props;

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: `conflux-${config.stage}`,
      description: 'Conflux reference API',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: config.removalPolicy,
      deployOptions: {
        stageName: config.stage,
        tracingEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.INFO,
        dataTraceEnabled: false,
        metricsEnabled: true,
        throttlingRateLimit: 100,
        throttlingBurstLimit: 200,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
      },
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        "API Gateway's account-level CloudWatch role needs exactly this AWS-managed service-role policy to write execution and access logs.",
    });
    const validator = this.api.addRequestValidator('Validator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    new RateLimitedWebAcl(this, 'WebAcl', this.api.deploymentStage);

    this.v1 = this.api.root.addResource('v1');
    const healthFn = createServiceFunction(new Construct(this, 'HealthFunction'), {
      entry: path.join(lambdasDir, 'platform-health/handler.ts'),
      serviceName: 'health',
      timeout: Duration.seconds(5),
      memorySize: 128,
      environment: { SERVICE_VERSION: version },
      logRetention: config.logRetention,
      alarmTopic: props.alarmTopic,
      noDeadLetterQueueBecause:
        'The function is invoked only by API Gateway, synchronously; the caller gets the error. A function DLQ applies to asynchronous invocations only.',
      errorMeaning: 'GET /v1/health answers 502.',
    });
    const healthMethod = this.v1
      .addResource('health')
      .addMethod('GET', new apigw.LambdaIntegration(healthFn.fn), {
        authorizationType: apigw.AuthorizationType.NONE,
        requestValidator: validator,
      });
    const open =
      'GET /v1/health is public by design (the API contract): it reveals only liveness and the version.';
    Validations.of(healthMethod).acknowledge(
      { id: 'AwsSolutions::AwsSolutions-APIG4', reason: open },
      { id: 'AwsSolutions::AwsSolutions-COG4', reason: open },
    );
  }
}

/** A regional WAF web ACL with a per-IP rate-based rule and AWS's common rule set, attached to a stage. */
class RateLimitedWebAcl extends Construct {
  constructor(scope: Construct, id: string, stage: apigw.Stage) {
    super(scope, id);
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    const acl = new wafv2.CfnWebACL(this, 'Resource', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('conflux-api'),
      rules: [
        {
          name: 'rate-per-ip',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: 2000, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility('conflux-api-rate'),
        },
        {
          name: 'aws-common',
          priority: 1,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesCommonRuleSet' },
          },
          visibilityConfig: visibility('conflux-api-common'),
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: stage.stageArn,
      webAclArn: acl.attrArn,
    });
  }
}
