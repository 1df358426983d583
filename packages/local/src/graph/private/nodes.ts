import type { FlowNodeKind } from '../model.js';
import type { GraphBuilder } from './builder.js';
import { isObject } from './references.js';

/** The CloudFormation types that become nodes; routes are added by the API extractor. */
const KINDS: Readonly<Record<string, FlowNodeKind>> = {
  'AWS::ApiGateway::RestApi': 'api',
  'AWS::ApiGatewayV2::Api': 'api',
  'AWS::Lambda::Function': 'function',
  'AWS::Serverless::Function': 'function',
  'AWS::SQS::Queue': 'queue',
  'AWS::SNS::Topic': 'topic',
  'AWS::Kinesis::Stream': 'stream',
  'AWS::DynamoDB::Table': 'table',
  'AWS::DynamoDB::GlobalTable': 'table',
  'AWS::StepFunctions::StateMachine': 'state-machine',
  'AWS::S3::Bucket': 'bucket',
  'AWS::Events::EventBus': 'event-bus',
  'AWS::Events::Rule': 'rule',
  'AWS::Scheduler::Schedule': 'schedule',
  'AWS::KinesisFirehose::DeliveryStream': 'delivery-stream',
};

/** Resources that stand for another node: references to them mean that node. */
const ALIASES: Readonly<Record<string, string>> = {
  'AWS::Kinesis::StreamConsumer': 'StreamARN',
  'AWS::Lambda::Alias': 'FunctionName',
  'AWS::Lambda::Version': 'FunctionName',
};

/** A logical id without the 8-character hash CDK appends. */
export function labelOf(logicalId: string): string {
  const stripped = logicalId.replace(/[0-9A-F]{8}$/, '');
  return stripped.length > 0 ? stripped : logicalId;
}

/**
 * Adds a node for each resource of a flow type, except the functions behind custom resources (CDK's
 * providers and handlers, which are deployment machinery), and marks buckets that only receive access
 * logs to be left out unless something else connects to them.
 */
export function addNodes(builder: GraphBuilder): void {
  const providers = new Set<string>();
  const logBuckets = new Set<string>();
  for (const { stack, resource, properties } of builder.resources()) {
    if (resource.Type.startsWith('Custom::') || resource.Type === 'AWS::CloudFormation::CustomResource') {
      for (const ref of builder.index.refs(stack, properties.ServiceToken))
        providers.add(`${ref.stack}/${ref.logicalId}`);
    }
    if (resource.Type === 'AWS::S3::Bucket' && isObject(properties.LoggingConfiguration)) {
      for (const ref of builder.index.refs(stack, properties.LoggingConfiguration.DestinationBucketName))
        logBuckets.add(`${ref.stack}/${ref.logicalId}`);
    }
  }
  for (const { stack, logicalId, resource, properties } of builder.resources()) {
    const kind = KINDS[resource.Type];
    const id = `${stack}/${logicalId}`;
    if (!kind || providers.has(id) || isProviderFramework(logicalId, properties)) continue;
    const kindOf =
      kind === 'rule' && properties.ScheduleExpression !== undefined && properties.EventPattern === undefined
        ? 'schedule'
        : kind;
    builder.addNode(
      { id, stack, logicalId, type: resource.Type, kind: kindOf, label: labelOf(logicalId) },
      { dropWhenAlone: logBuckets.has(id) },
    );
  }
  for (const { stack, logicalId, resource, properties } of builder.resources()) {
    const property = ALIASES[resource.Type];
    if (!property) continue;
    const [target] = builder.nodesIn(stack, properties[property]);
    if (target) builder.alias(stack, logicalId, target);
  }
}

/** CDK's singleton and provider-framework functions, whose logical ids say what they are. */
function isProviderFramework(logicalId: string, properties: Readonly<Record<string, unknown>>): boolean {
  if (/^AWS[0-9a-f]{32}/.test(logicalId)) return true;
  if (
    /^(CustomResourceProvider|CustomS3AutoDeleteObjects|CustomCDK|BucketNotificationsHandler|LogRetention[0-9a-f]{32})/.test(
      logicalId,
    )
  )
    return true;
  const description = properties.Description;
  return typeof description === 'string' && /^AWS CDK resource provider framework/.test(description);
}
