import type { AssemblyStack } from './cloud-assembly.js';
import { APIGATEWAY_PROVISIONERS } from '../services/apigateway/provisioners.js';
import {
  eventInvokeConfig,
  eventSourceMapping,
  lambdaFunction,
  stateMachine,
} from '../services/lambda/provisioners.js';
import { snsSubscription, snsTopic, sqsQueue } from '../services/sqs/provisioners.js';
import {
  dynamoGlobalTable,
  dynamoTable,
  kinesisStream,
  s3Bucket,
} from '../services/dynamodb/provisioners.js';
import {
  accepted,
  iamArn,
  NO_OBSERVABILITY,
  NOT_ENFORCED,
  regional,
  type Provisioner,
} from './provisioning.js';

/** Why the schema registry needs no local engine. */
const SCHEMAS_BUNDLED =
  'producers validate against the same schemas bundled from schemas/, and the synth gate checked their compatibility';

export { UnsupportedResourceError, type ProvisionContext, type Provisioner } from './provisioning.js';

/** Every resource type the runtime supports, by CloudFormation type. */
export const PROVISIONERS: Readonly<Record<string, Provisioner>> = {
  ...APIGATEWAY_PROVISIONERS,
  'AWS::SQS::Queue': sqsQueue,
  'AWS::SNS::Topic': snsTopic,
  'AWS::SNS::Subscription': snsSubscription,
  'AWS::DynamoDB::Table': dynamoTable,
  'AWS::DynamoDB::GlobalTable': dynamoGlobalTable,
  'AWS::Lambda::Function': lambdaFunction,
  'AWS::Lambda::EventSourceMapping': eventSourceMapping,
  'AWS::Lambda::EventInvokeConfig': eventInvokeConfig,
  'AWS::StepFunctions::StateMachine': stateMachine,
  'AWS::Kinesis::Stream': kinesisStream,
  'AWS::S3::Bucket': s3Bucket,
  'AWS::S3::BucketPolicy': accepted(NOT_ENFORCED, regional('s3', '')),
  'AWS::IAM::Role': accepted(NOT_ENFORCED, iamArn('role')),
  'AWS::IAM::Policy': accepted(NOT_ENFORCED, iamArn('policy')),
  'AWS::IAM::ManagedPolicy': accepted(NOT_ENFORCED, iamArn('policy')),
  'AWS::KMS::Key': accepted(NOT_ENFORCED, regional('kms', 'key/')),
  'AWS::KMS::Alias': accepted(NOT_ENFORCED, regional('kms', 'alias/')),
  'AWS::SQS::QueuePolicy': accepted(NOT_ENFORCED, regional('sqs', '')),
  'AWS::SNS::TopicPolicy': accepted(NOT_ENFORCED, regional('sns', '')),
  'AWS::Lambda::Permission': accepted(NOT_ENFORCED, regional('lambda', 'permission:')),
  'AWS::Logs::LogGroup': accepted(NO_OBSERVABILITY, regional('logs', 'log-group:')),
  'AWS::CloudWatch::Alarm': accepted(NO_OBSERVABILITY, regional('cloudwatch', 'alarm:')),
  'AWS::CDK::Metadata': accepted('CDK metadata has no runtime meaning', regional('cloudformation', '')),
  'AWS::Glue::Registry': accepted(SCHEMAS_BUNDLED, regional('glue', 'registry/')),
  'AWS::Glue::Schema': accepted(SCHEMAS_BUNDLED, regional('glue', 'schema/')),
  'AWS::Glue::SchemaVersion': accepted(SCHEMAS_BUNDLED, regional('glue', 'schema-version/')),
};

/**
 * Every problem that would stop the template from running faithfully: unsupported types and properties,
 * each named with its stack, logical id and property.
 */
export function unsupported(stack: AssemblyStack): string[] {
  const problems: string[] = [];
  for (const [logicalId, resource] of Object.entries(stack.template.Resources)) {
    const provisioner = PROVISIONERS[resource.Type];
    const where = `${stack.stackName}/${logicalId} (${resource.Type})`;
    if (!provisioner) {
      problems.push(`${where}: resource type ${resource.Type} is not supported by the offline runtime`);
      continue;
    }
    if ('*' in provisioner.accepts) continue;
    for (const property of Object.keys(resource.Properties ?? {})) {
      if (!provisioner.applies.includes(property) && !(property in provisioner.accepts)) {
        problems.push(`${where}: property ${property} is not supported by the offline runtime`);
      }
    }
  }
  return problems;
}
