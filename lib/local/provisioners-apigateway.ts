import { randomBytes } from 'node:crypto';
import type { GatewayApi } from './gateway';
import { asText } from './intrinsics';
import { UnsupportedResourceError, type ProvisionContext, type Provisioner } from './provisioners';

const NOT_ENFORCED = 'the offline runtime does not enforce IAM, encryption or resource policies';
const NO_OBSERVABILITY =
  'CloudWatch, X-Ray and log delivery are not emulated; the gateway logs to the terminal';

const apiId = () => randomBytes(5).toString('hex');

function apiOf(ctx: ProvisionContext, id: unknown, where: string): GatewayApi {
  const api = ctx.apis.get(String(id));
  if (!api)
    throw new UnsupportedResourceError(
      `${where}: RestApiId ${String(id)} names no REST API of the application`,
    );
  return api;
}

const restApi: Provisioner = {
  applies: ['Name'],
  accepts: {
    Description: 'descriptive only',
    EndpointConfiguration: 'the local gateway has one endpoint',
    Policy: NOT_ENFORCED,
    DisableExecuteApiEndpoint: 'the local gateway has one endpoint',
    Tags: 'tags have no local effect',
  },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx) {
    const id = apiId();
    const rootResourceId = apiId();
    ctx.apis.set(id, { apiId: id, rootResourceId, resources: new Map(), methods: [] });
    return { ref: id, attributes: { RootResourceId: rootResourceId, RestApiId: id } };
  },
};

const resource: Provisioner = {
  applies: ['ParentId', 'PathPart', 'RestApiId'],
  accepts: {},
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const api = apiOf(ctx, p.RestApiId, `${ctx.stack.stackName}/${logicalId}`);
    const id = apiId();
    api.resources.set(id, { parentId: String(p.ParentId), pathPart: String(p.PathPart) });
    return { ref: id, attributes: { ResourceId: id } };
  },
};

const method: Provisioner = {
  applies: [
    'ApiKeyRequired',
    'HttpMethod',
    'ResourceId',
    'RestApiId',
    'AuthorizationType',
    'Integration',
    'RequestValidatorId',
    'RequestParameters',
  ],
  accepts: {
    MethodResponses: 'responses are passed through as the integration returns them',
    OperationName: 'descriptive only',
  },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const where = `${ctx.stack.stackName}/${logicalId} (AWS::ApiGateway::Method)`;
    const api = apiOf(ctx, p.RestApiId, where);
    if (p.AuthorizationType !== undefined && p.AuthorizationType !== 'NONE') {
      throw new UnsupportedResourceError(
        `${where}: AuthorizationType ${asText(p.AuthorizationType)} is not supported offline yet`,
      );
    }
    if (p.ApiKeyRequired === true || p.ApiKeyRequired === 'true') {
      throw new UnsupportedResourceError(`${where}: ApiKeyRequired is not supported offline yet`);
    }
    const integration = p.Integration as
      | {
          Type?: string;
          Uri?: string;
          IntegrationResponses?: { StatusCode?: string; ResponseParameters?: Record<string, string> }[];
        }
      | undefined;
    let resolved: GatewayApi['methods'][number]['integration'];
    if (integration?.Type === 'AWS_PROXY') {
      const functionArn = /functions\/(.+)\/invocations$/.exec(integration.Uri ?? '')?.[1];
      if (!functionArn || !ctx.host.get(functionArn)) {
        throw new UnsupportedResourceError(
          `${where}: Integration.Uri ${integration.Uri ?? '(none)'} names no Lambda function of the application`,
        );
      }
      resolved = { type: 'AWS_PROXY', functionArn };
    } else if (integration?.Type === 'MOCK') {
      const response = integration.IntegrationResponses?.[0];
      const headers = Object.fromEntries(
        Object.entries(response?.ResponseParameters ?? {}).map(([k, v]) => [
          k.replace('method.response.header.', ''),
          v.replace(/^'|'$/g, ''),
        ]),
      );
      resolved = { type: 'MOCK', statusCode: Number(response?.StatusCode ?? 200), headers };
    } else {
      throw new UnsupportedResourceError(
        `${where}: Integration.Type ${String(integration?.Type)} is not supported offline yet (AWS_PROXY and MOCK are)`,
      );
    }
    const validator =
      p.RequestValidatorId === undefined ? undefined : ctx.validators.get(asText(p.RequestValidatorId));
    api.methods.push({
      httpMethod: String(p.HttpMethod),
      resourceId: String(p.ResourceId),
      integration: resolved,
      requiredParameters: Object.entries((p.RequestParameters as Record<string, boolean> | undefined) ?? {})
        .filter(([, required]) => required)
        .map(([name]) => name.replace(/^method\.request\./, '')),
      validateParameters: validator?.parameters ?? false,
    });
    return { ref: apiId(), attributes: {} };
  },
};

const requestValidator: Provisioner = {
  applies: ['RestApiId', 'ValidateRequestParameters', 'ValidateRequestBody', 'Name'],
  accepts: {},
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, _logicalId, p) {
    const id = apiId();
    // Body validation needs a model; methods with models are refused until models are supported.
    ctx.validators.set(id, {
      parameters: p.ValidateRequestParameters === true || p.ValidateRequestParameters === 'true',
    });
    return { ref: id, attributes: { RequestValidatorId: id } };
  },
};

const stage: Provisioner = {
  applies: ['RestApiId', 'StageName', 'DeploymentId', 'MethodSettings'],
  accepts: {
    AccessLogSetting: NO_OBSERVABILITY,
    TracingEnabled: NO_OBSERVABILITY,
    Description: 'descriptive only',
    Tags: 'tags have no local effect',
  },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const where = `${ctx.stack.stackName}/${logicalId} (AWS::ApiGateway::Stage)`;
    const api = apiOf(ctx, p.RestApiId, where);
    api.stageName = String(p.StageName);
    const settings =
      (p.MethodSettings as
        | {
            HttpMethod?: string;
            ResourcePath?: string;
            ThrottlingRateLimit?: number;
            ThrottlingBurstLimit?: number;
          }[]
        | undefined) ?? [];
    for (const s of settings) {
      if (s.ThrottlingRateLimit === undefined && s.ThrottlingBurstLimit === undefined) continue;
      if (s.HttpMethod !== '*' || s.ResourcePath !== '/*') {
        throw new UnsupportedResourceError(
          `${where}: MethodSettings throttling for ${String(s.HttpMethod)} ${String(s.ResourcePath)} is not supported offline yet (stage-wide "*" "/*" is)`,
        );
      }
      api.throttle = {
        rate: s.ThrottlingRateLimit ?? 10000,
        burst: s.ThrottlingBurstLimit ?? 5000,
      };
    }
    return { ref: String(p.StageName), attributes: {} };
  },
};

function accepted(reason: string): Provisioner {
  return {
    applies: [],
    accepts: { '*': reason },
    // eslint-disable-next-line @typescript-eslint/require-await
    async create(ctx, logicalId) {
      const id = apiId();
      return {
        ref: id,
        attributes: { Arn: `arn:aws:local:${ctx.env.region}:${ctx.env.accountId}:${logicalId}`, Id: id },
      };
    },
  };
}

/** API Gateway and WAF resource types the runtime supports. */
export const APIGATEWAY_PROVISIONERS: Readonly<Record<string, Provisioner>> = {
  'AWS::ApiGateway::RestApi': restApi,
  'AWS::ApiGateway::Resource': resource,
  'AWS::ApiGateway::Method': method,
  'AWS::ApiGateway::RequestValidator': requestValidator,
  'AWS::ApiGateway::Stage': stage,
  'AWS::ApiGateway::Deployment': accepted(
    'the local gateway serves the template as synthesized; there is nothing to deploy',
  ),
  'AWS::ApiGateway::Account': accepted(NO_OBSERVABILITY),
  'AWS::WAFv2::WebACL': accepted('WAF rules are not evaluated offline'),
  'AWS::WAFv2::WebACLAssociation': accepted('WAF rules are not evaluated offline'),
};
