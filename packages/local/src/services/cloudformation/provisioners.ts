import {
  staticText,
  str,
  UNRESOLVED,
  UnsupportedResourceError,
  type Provisioner,
} from '../../core/provisioning.js';
import type { ServiceModule } from '../../core/services.js';
import { LambdaService } from '../lambda/service.js';
import { CloudFormationService, CustomResourceError } from './service.js';

/** CloudFormation waits this long for a response when the resource sets no `ServiceTimeout` (one hour). */
const DEFAULT_SERVICE_TIMEOUT_SECONDS = 3600;

/**
 * Properties as CloudFormation hands them to a custom resource's function: every number and boolean as a
 * string, at any depth.
 */
export function asRequestProperties(value: unknown): unknown {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(asRequestProperties);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asRequestProperties(v)]));
  }
  return value;
}

/**
 * `AWS::CloudFormation::CustomResource`, and every `Custom::*` type no service provisions itself: created at
 * start as a deployment creates it — the function of `ServiceToken` gets the `Create` request and its
 * response to the `ResponseURL` gives the physical id (`Ref`) and the `Data` (`Fn::GetAtt`).
 */
const customResource: Provisioner = {
  applies: ['ServiceToken', 'ServiceTimeout'],
  accepts: { '*': "the other properties are the function's: it gets them in ResourceProperties" },
  check(ctx, p) {
    const type = ctx.typeOf(p.ServiceToken);
    const text = staticText(p.ServiceToken);
    if (type === 'AWS::SNS::Topic' || (text?.startsWith('arn:') === true && text.includes(':sns:'))) {
      return [
        `${ctx.where}: ServiceToken names an SNS topic; only custom resources backed by a Lambda function run offline`,
      ];
    }
    if (type !== undefined && type !== 'AWS::Lambda::Function') {
      return [`${ctx.where}: ServiceToken names a ${type}; it must be a Lambda function of the application`];
    }
    if (type === 'AWS::Lambda::Function') {
      const id = idOf(p.ServiceToken);
      const runtime = staticText(ctx.stack.template.Resources[id ?? '']?.Properties?.Runtime);
      if (runtime !== undefined && runtime !== UNRESOLVED && !runtime.startsWith('nodejs')) {
        return [
          `${ctx.where}: ServiceToken is function ${id ?? ''}, whose Runtime "${runtime}" does not run offline; custom resources need a Node.js function`,
        ];
      }
    }
    return [];
  },
  async create(ctx, logicalId, p) {
    const resourceType =
      ctx.stack.template.Resources[logicalId]?.Type ?? 'AWS::CloudFormation::CustomResource';
    const where = `${ctx.stack.stackName}/${logicalId} (${resourceType})`;
    const serviceToken = str(p.ServiceToken) ?? '';
    if (ctx.service(LambdaService).host.get(serviceToken) === undefined) {
      throw new UnsupportedResourceError(
        `${where}: ServiceToken ${serviceToken} is not a Node.js function of the application; only those run offline`,
      );
    }
    const properties = asRequestProperties({ ...p }) as Record<string, unknown>;
    delete properties.ServiceToken; // the service puts it first
    // AwsCustomResource's handler would npm-install the latest SDK client at every start: it uses the runtime's.
    if ('InstallLatestAwsSdk' in properties) properties.InstallLatestAwsSdk = 'false';
    const timeout = Number(p.ServiceTimeout ?? DEFAULT_SERVICE_TIMEOUT_SECONDS);
    const response = await ctx
      .service(CloudFormationService)
      .create(ctx.stack.stackName, logicalId, resourceType, serviceToken, properties, timeout);
    if (response.status === 'FAILED') {
      throw new CustomResourceError(
        `${where}: CREATE_FAILED: Received response status [FAILED] from custom resource. Message returned: ${response.reason ?? '(no Reason)'}`,
      );
    }
    return {
      ref: response.physicalResourceId,
      attributes: Object.fromEntries(
        Object.entries(response.data).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
      ),
    };
  },
};

/** The logical id a `Ref` or `Fn::GetAtt` names. */
function idOf(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as { Ref?: unknown; 'Fn::GetAtt'?: unknown };
  if (typeof v.Ref === 'string') return v.Ref;
  const getAtt = v['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  return typeof getAtt === 'string' ? getAtt.split('.')[0] : undefined;
}

/** CloudFormation custom resources: the CDK provider framework and AwsCustomResource, run at start-up. */
export const cloudformation: ServiceModule = {
  name: 'cloudformation',
  state: CloudFormationService,
  provisioners: {
    'AWS::CloudFormation::CustomResource': customResource,
  },
};
