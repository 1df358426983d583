import type { AssemblyStack } from './cloud-assembly.js';
import type { LocalEnvironment } from './intrinsics.js';
import type { CheckContext, Provisioner } from './provisioning.js';
import type { ServiceModule } from './services.js';
import { apigateway } from '../services/apigateway/provisioners.js';
import { athena } from '../services/athena/provisioners.js';
import { apigatewayv2 } from '../services/apigatewayv2/provisioners.js';
import { cdk } from '../services/cdk/provisioners.js';
import { cloudformation } from '../services/cloudformation/provisioners.js';
import { cognito } from '../services/cognito/provisioners.js';
import { console } from '../console/provisioners.js';
import { cloudwatch } from '../services/cloudwatch/provisioners.js';
import { dynamodb } from '../services/dynamodb/provisioners.js';
import { events } from '../services/events/provisioners.js';
import { firehose } from '../services/kinesisfirehose/provisioners.js';
import { glue } from '../services/glue/provisioners.js';
import { iam } from '../services/iam/provisioners.js';
import { kinesis } from '../services/kinesis/provisioners.js';
import { kms } from '../services/kms/provisioners.js';
import { lambda } from '../services/lambda/provisioners.js';
import { logs } from '../services/logs/provisioners.js';
import { s3 } from '../services/s3/provisioners.js';
import { scheduler } from '../services/scheduler/provisioners.js';
import { sns } from '../services/sns/provisioners.js';
import { sqs } from '../services/sqs/provisioners.js';
import { stepfunctions } from '../services/stepfunctions/provisioners.js';
import { wafv2 } from '../services/wafv2/provisioners.js';

export {
  UnsupportedResourceError,
  type CheckContext,
  type ProvisionContext,
  type Provisioner,
} from './provisioning.js';

/**
 * Every service of the runtime. The order is the one the runtime starts them in (the gateway last, once the
 * pollers run) and lists their endpoints in; it stops them the other way round. A new service is one line.
 */
export const SERVICES: readonly ServiceModule[] = [
  dynamodb,
  sqs,
  sns,
  s3,
  kinesis,
  stepfunctions,
  events,
  lambda,
  firehose,
  scheduler,
  athena,
  cloudformation,
  apigateway,
  apigatewayv2,
  iam,
  kms,
  logs,
  cloudwatch,
  cognito,
  glue,
  cdk,
  wafv2,
  console,
];

/** The service of every resource type, by CloudFormation type; a type two services claim is an error. */
export function provisionersOf(services: readonly ServiceModule[]): Readonly<Record<string, Provisioner>> {
  const table: Record<string, Provisioner> = {};
  const owner = new Map<string, string>();
  for (const service of services) {
    for (const [type, provisioner] of Object.entries(service.provisioners)) {
      const other = owner.get(type);
      if (other !== undefined)
        throw new Error(`${type} is provisioned by both services/${other} and services/${service.name}`);
      owner.set(type, service.name);
      table[type] = provisioner;
    }
  }
  return table;
}

/** Every resource type the runtime supports, by CloudFormation type. */
export const PROVISIONERS: Readonly<Record<string, Provisioner>> = provisionersOf(SERVICES);

/**
 * Every problem that would stop the template from running faithfully, found from the template alone:
 * unsupported types and properties and what each provisioner's `check` finds, each named with its stack,
 * logical id and property, each once.
 */
export function unsupported(stack: AssemblyStack, env: LocalEnvironment): string[] {
  const problems = new Set<string>();
  const resources = stack.template.Resources;
  const typeOf = (value: unknown): string | undefined => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const v = value as Record<string, unknown>;
    const getAtt: unknown = v['Fn::GetAtt'];
    const id: unknown =
      typeof v.Ref === 'string'
        ? v.Ref
        : Array.isArray(getAtt)
          ? getAtt[0]
          : typeof getAtt === 'string'
            ? getAtt.split('.')[0]
            : undefined;
    return typeof id === 'string' ? resources[id]?.Type : undefined;
  };
  for (const [logicalId, resource] of Object.entries(resources)) {
    const provisioner = provisionerOf(resource.Type);
    const where = `${stack.stackName}/${logicalId} (${resource.Type})`;
    if (!provisioner) {
      problems.add(`${where}: resource type ${resource.Type} is not supported by the offline runtime`);
      continue;
    }
    if (!('*' in provisioner.accepts)) {
      for (const property of Object.keys(resource.Properties ?? {})) {
        if (!provisioner.applies.includes(property) && !(property in provisioner.accepts)) {
          problems.add(`${where}: property ${property} is not supported by the offline runtime`);
        }
      }
    }
    const ctx: CheckContext = { env, stack, logicalId, where, typeOf };
    for (const problem of provisioner.check?.(ctx, resource.Properties ?? {}) ?? []) problems.add(problem);
  }
  return [...problems];
}

/**
 * The provisioner of a resource type: the table's, or for a type of CloudFormation's open `Custom::` family
 * (custom resources name their own type) the one of `AWS::CloudFormation::CustomResource`, when registered.
 */
export function provisionerOf(type: string): Provisioner | undefined {
  return (
    PROVISIONERS[type] ??
    (type.startsWith('Custom::') ? PROVISIONERS['AWS::CloudFormation::CustomResource'] : undefined)
  );
}
