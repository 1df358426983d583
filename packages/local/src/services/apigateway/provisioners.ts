import { randomBytes } from 'node:crypto';
import type { ApiKeySpec, GatewayApi, GatewayMethod, UsagePlanSpec } from './gateway.js';
import { ApiGatewayService } from './service.js';
import { SUPPORTED_ACTIONS } from './service-integrations.js';
import { asText } from '../../core/intrinsics.js';
import {
  accepted,
  NOT_ENFORCED,
  regional,
  TAGS,
  UnsupportedResourceError,
  type ProvisionContext,
  type Provisioner,
} from '../../core/provisioning.js';
import type { ServiceModule } from '../../core/services.js';
import { LambdaService } from '../lambda/service.js';

/** The gateway's own wording of core's NO_OBSERVABILITY: it, not a function, is what logs here. */
const NO_OBSERVABILITY =
  'CloudWatch, X-Ray and log delivery are not emulated; the gateway logs to the terminal';
const DESCRIPTIVE = 'descriptive only';

export { ApiGatewayService } from './service.js';

const newId = () => randomBytes(5).toString('hex');
const truthy = (v: unknown) => v === true || v === 'true';

const apiOf = (ctx: ProvisionContext, id: unknown, where: string): GatewayApi =>
  ctx.service(ApiGatewayService).api(id, where);

const restApi: Provisioner = {
  applies: ['Name', 'ApiKeySourceType'],
  accepts: {
    Description: DESCRIPTIVE,
    EndpointConfiguration: 'the local gateway has one endpoint',
    Policy: NOT_ENFORCED,
    DisableExecuteApiEndpoint: 'the local gateway has one endpoint',
    Tags: TAGS,
  },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, _logicalId, p) {
    const id = newId();
    const rootResourceId = newId();
    ctx.service(ApiGatewayService).apis.set(id, {
      apiId: id,
      rootResourceId,
      resources: new Map(),
      methods: [],
      apiKeySource: p.ApiKeySourceType === 'AUTHORIZER' ? 'AUTHORIZER' : 'HEADER',
      authorizers: new Map(),
      models: new Map(),
      gatewayResponses: new Map(),
    });
    return { ref: id, attributes: { RootResourceId: rootResourceId, RestApiId: id } };
  },
};

const resource: Provisioner = {
  applies: ['ParentId', 'PathPart', 'RestApiId'],
  accepts: {},
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const api = apiOf(ctx, p.RestApiId, `${ctx.stack.stackName}/${logicalId}`);
    const id = newId();
    api.resources.set(id, { parentId: asText(p.ParentId), pathPart: asText(p.PathPart) });
    return { ref: id, attributes: { ResourceId: id } };
  },
};

function functionArnOf(ctx: ProvisionContext, uri: unknown, where: string, property: string): string {
  const functionArn = /functions\/(.+)\/invocations$/.exec(asText(uri))?.[1];
  if (!functionArn || !ctx.service(LambdaService).host.get(functionArn)) {
    throw new UnsupportedResourceError(
      `${where}: ${property} ${asText(uri)} names no Lambda function of the application`,
    );
  }
  return functionArn;
}

const method: Provisioner = {
  applies: [
    'ApiKeyRequired',
    'AuthorizationType',
    'AuthorizerId',
    'HttpMethod',
    'Integration',
    'RequestModels',
    'RequestParameters',
    'RequestValidatorId',
    'ResourceId',
    'RestApiId',
  ],
  accepts: {
    MethodResponses: 'responses are passed through as the integration returns them',
    OperationName: DESCRIPTIVE,
    AuthorizationScopes:
      'scopes are checked by Cognito authorizers, which are not supported offline; a CUSTOM authorizer checks its own',
  },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const where = `${ctx.stack.stackName}/${logicalId} (AWS::ApiGateway::Method)`;
    const api = apiOf(ctx, p.RestApiId, where);
    const authorization = asText(p.AuthorizationType ?? 'NONE');
    if (authorization !== 'NONE' && authorization !== 'CUSTOM') {
      throw new UnsupportedResourceError(
        `${where}: AuthorizationType ${authorization} is not supported offline (NONE and CUSTOM are)`,
      );
    }
    const integration = p.Integration as
      | {
          Type?: string;
          Uri?: string;
          IntegrationResponses?: { StatusCode?: string; ResponseParameters?: Record<string, string> }[];
        }
      | undefined;
    let resolved: GatewayMethod['integration'];
    if (integration?.Type === 'AWS_PROXY') {
      resolved = {
        type: 'AWS_PROXY',
        functionArn: functionArnOf(ctx, integration.Uri, where, 'Integration.Uri'),
      };
    } else if (integration?.Type === 'MOCK') {
      const response = integration.IntegrationResponses?.[0];
      const headers = Object.fromEntries(
        Object.entries(response?.ResponseParameters ?? {}).map(([k, v]) => [
          k.replace('method.response.header.', ''),
          v.replace(/^'|'$/g, ''),
        ]),
      );
      resolved = { type: 'MOCK', statusCode: Number(response?.StatusCode ?? 200), headers };
    } else if (integration?.Type === 'AWS') {
      resolved = serviceIntegration(integration, where);
    } else {
      throw new UnsupportedResourceError(
        `${where}: Integration.Type ${asText(integration?.Type)} is not supported offline (AWS_PROXY, AWS and MOCK are)`,
      );
    }
    const validator =
      p.RequestValidatorId === undefined
        ? undefined
        : ctx.service(ApiGatewayService).validators.get(asText(p.RequestValidatorId));
    const requestModels = Object.fromEntries(
      Object.entries((p.RequestModels as Record<string, unknown> | undefined) ?? {}).map(([type, model]) => [
        type,
        asText(model),
      ]),
    );
    for (const model of Object.values(requestModels)) {
      if (validator?.body && !api.models.has(model) && model !== 'Empty') {
        throw new UnsupportedResourceError(
          `${where}: RequestModels names model ${model}, which the API does not define`,
        );
      }
    }
    api.methods.push({
      httpMethod: asText(p.HttpMethod),
      resourceId: asText(p.ResourceId),
      authorizerId: authorization === 'CUSTOM' ? asText(p.AuthorizerId) : undefined,
      apiKeyRequired: truthy(p.ApiKeyRequired),
      requestModels,
      validateBody: validator?.body ?? false,
      integration: resolved,
      requiredParameters: Object.entries((p.RequestParameters as Record<string, boolean> | undefined) ?? {})
        .filter(([, required]) => truthy(required))
        .map(([name]) => name.replace(/^method\.request\./, '')),
      validateParameters: validator?.parameters ?? false,
    });
    return { ref: newId(), attributes: {} };
  },
};

interface ServiceIntegrationProps {
  Uri?: string;
  RequestTemplates?: Record<string, string>;
  PassthroughBehavior?: string;
  IntegrationResponses?: {
    StatusCode?: string;
    SelectionPattern?: string;
    ResponseTemplates?: Record<string, string>;
    ResponseParameters?: Record<string, string>;
  }[];
}

/** An `AWS` integration to a service the runtime has an engine for, or a refusal naming what is missing. */
function serviceIntegration(
  integration: ServiceIntegrationProps,
  where: string,
): GatewayMethod['integration'] {
  const match = /^arn:[^:]+:apigateway:[^:]*:([a-z0-9-]+):(action|path)\/(.+)$/.exec(asText(integration.Uri));
  const service = match?.[1];
  if (!match || (service !== 'sqs' && service !== 'kinesis' && service !== 'states')) {
    throw new UnsupportedResourceError(
      `${where}: Integration.Uri ${asText(integration.Uri)}: only SQS, Kinesis and Step Functions integrations are supported offline`,
    );
  }
  const kind = match[2];
  const rest = match[3] ?? '';
  const action = kind === 'action' ? rest.split('&')[0] : undefined;
  if (action !== undefined && !(SUPPORTED_ACTIONS[service] as readonly string[]).includes(action)) {
    throw new UnsupportedResourceError(
      `${where}: ${service} action ${action} is not supported offline (${SUPPORTED_ACTIONS[service].join(', ')} are)`,
    );
  }
  if (service !== 'sqs' && kind === 'path') {
    throw new UnsupportedResourceError(
      `${where}: ${service} path-style integrations are not supported offline; use an action URI`,
    );
  }
  const passthrough = integration.PassthroughBehavior ?? 'WHEN_NO_MATCH';
  return {
    type: 'AWS',
    service,
    action,
    path: kind === 'path' ? rest : undefined,
    requestTemplates: integration.RequestTemplates ?? {},
    passthrough:
      passthrough === 'NEVER' || passthrough === 'WHEN_NO_TEMPLATES' ? passthrough : 'WHEN_NO_MATCH',
    responses: (integration.IntegrationResponses ?? []).map((r) => ({
      statusCode: Number(r.StatusCode ?? 200),
      selectionPattern:
        r.SelectionPattern === undefined || r.SelectionPattern === '' ? undefined : r.SelectionPattern,
      templates: r.ResponseTemplates ?? {},
      headers: Object.fromEntries(
        Object.entries(r.ResponseParameters ?? {}).map(([k, v]) => [
          k.replace('method.response.header.', ''),
          v.replace(/^'|'$/g, ''),
        ]),
      ),
    })),
  };
}

const requestValidator: Provisioner = {
  applies: ['RestApiId', 'ValidateRequestParameters', 'ValidateRequestBody', 'Name'],
  accepts: {},
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, _logicalId, p) {
    const id = newId();
    ctx.service(ApiGatewayService).validators.set(id, {
      parameters: truthy(p.ValidateRequestParameters),
      body: truthy(p.ValidateRequestBody),
    });
    return { ref: id, attributes: { RequestValidatorId: id } };
  },
};

const model: Provisioner = {
  applies: ['RestApiId', 'Schema', 'Name', 'ContentType'],
  accepts: { Description: DESCRIPTIVE },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const api = apiOf(ctx, p.RestApiId, `${ctx.stack.stackName}/${logicalId}`);
    const name = p.Name === undefined ? `${logicalId}${newId()}` : asText(p.Name);
    const schema = typeof p.Schema === 'string' ? (JSON.parse(p.Schema) as object) : (p.Schema ?? {});
    api.models.set(name, schema);
    return { ref: name, attributes: {} };
  },
};

const authorizer: Provisioner = {
  applies: [
    'RestApiId',
    'Type',
    'AuthorizerUri',
    'IdentitySource',
    'IdentityValidationExpression',
    'AuthorizerResultTtlInSeconds',
    'Name',
  ],
  accepts: { AuthorizerCredentials: NOT_ENFORCED, AuthType: DESCRIPTIVE },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const where = `${ctx.stack.stackName}/${logicalId} (AWS::ApiGateway::Authorizer)`;
    const api = apiOf(ctx, p.RestApiId, where);
    const type = asText(p.Type);
    if (type !== 'TOKEN' && type !== 'REQUEST') {
      throw new UnsupportedResourceError(
        `${where}: Type ${type} is not supported offline (TOKEN and REQUEST are)`,
      );
    }
    const id = newId();
    api.authorizers.set(id, {
      type,
      functionArn: functionArnOf(ctx, p.AuthorizerUri, where, 'AuthorizerUri'),
      identitySources: asText(
        p.IdentitySource ?? (type === 'TOKEN' ? 'method.request.header.Authorization' : ''),
      )
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
      validationExpression:
        p.IdentityValidationExpression === undefined ? undefined : asText(p.IdentityValidationExpression),
      ttlSeconds: p.AuthorizerResultTtlInSeconds === undefined ? 300 : Number(p.AuthorizerResultTtlInSeconds),
    });
    return { ref: id, attributes: { AuthorizerId: id } };
  },
};

const apiKey: Provisioner = {
  applies: ['Enabled', 'Name', 'Value', 'StageKeys'],
  accepts: {
    Description: DESCRIPTIVE,
    CustomerId: DESCRIPTIVE,
    GenerateDistinctId: 'keys are always distinct offline',
    Tags: TAGS,
  },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const id = newId();
    const key: ApiKeySpec = {
      id,
      name: p.Name === undefined ? logicalId : asText(p.Name),
      // AWS generates a 40-character alphanumeric value when none is given.
      value:
        p.Value === undefined
          ? randomBytes(30)
              .toString('base64')
              .replace(/[^A-Za-z0-9]/g, '')
              .slice(0, 40)
          : asText(p.Value),
      enabled: p.Enabled === undefined ? true : truthy(p.Enabled),
    };
    ctx.service(ApiGatewayService).apiKeys.set(id, key);
    return { ref: id, attributes: { APIKeyId: id } };
  },
};

type Throttle = { RateLimit?: number; BurstLimit?: number };
const throttleOf = (t: Throttle | undefined) =>
  t === undefined ? undefined : { rate: t.RateLimit ?? 10000, burst: t.BurstLimit ?? 5000 };

const usagePlan: Provisioner = {
  applies: ['ApiStages', 'Throttle', 'Quota', 'UsagePlanName'],
  accepts: { Description: DESCRIPTIVE, Tags: TAGS },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const id = newId();
    const quota = p.Quota as { Limit?: number; Period?: string; Offset?: number } | undefined;
    if (quota?.Offset) {
      throw new UnsupportedResourceError(
        `${ctx.stack.stackName}/${logicalId} (AWS::ApiGateway::UsagePlan): Quota.Offset is not supported offline`,
      );
    }
    const plan: UsagePlanSpec = {
      id,
      name: p.UsagePlanName === undefined ? logicalId : asText(p.UsagePlanName),
      stages: (
        (p.ApiStages as
          { ApiId: string; Stage: string; Throttle?: Record<string, Throttle> }[] | undefined) ?? []
      ).map((s) => ({
        apiId: asText(s.ApiId),
        stage: asText(s.Stage),
        methodThrottles: Object.fromEntries(
          Object.entries(s.Throttle ?? {}).map(([k, t]) => [
            k,
            throttleOf(t) ?? { rate: 10000, burst: 5000 },
          ]),
        ),
      })),
      throttle: throttleOf(p.Throttle as Throttle | undefined),
      quota:
        quota?.Limit === undefined
          ? undefined
          : { limit: quota.Limit, period: (quota.Period ?? 'DAY') as 'DAY' | 'WEEK' | 'MONTH' },
      keyIds: [],
    };
    ctx.service(ApiGatewayService).usagePlans.push(plan);
    return { ref: id, attributes: { Id: id } };
  },
};

const usagePlanKey: Provisioner = {
  applies: ['KeyId', 'KeyType', 'UsagePlanId'],
  accepts: {},
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const plan = ctx.service(ApiGatewayService).usagePlans.find((u) => u.id === asText(p.UsagePlanId));
    if (!plan)
      throw new UnsupportedResourceError(
        `${ctx.stack.stackName}/${logicalId}: UsagePlanId names no usage plan of the application`,
      );
    plan.keyIds.push(asText(p.KeyId));
    return { ref: newId(), attributes: {} };
  },
};

const gatewayResponse: Provisioner = {
  applies: ['RestApiId', 'ResponseType', 'StatusCode', 'ResponseParameters', 'ResponseTemplates'],
  accepts: {},
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const api = apiOf(ctx, p.RestApiId, `${ctx.stack.stackName}/${logicalId}`);
    api.gatewayResponses.set(asText(p.ResponseType), {
      statusCode: p.StatusCode === undefined ? undefined : Number(p.StatusCode),
      headers: Object.fromEntries(
        Object.entries((p.ResponseParameters as Record<string, string> | undefined) ?? {}).map(([k, v]) => [
          k.replace('gatewayresponse.header.', ''),
          v.replace(/^'|'$/g, ''),
        ]),
      ),
      templates: (p.ResponseTemplates as Record<string, string> | undefined) ?? {},
    });
    return { ref: newId(), attributes: {} };
  },
};

const stage: Provisioner = {
  applies: ['RestApiId', 'StageName', 'DeploymentId', 'MethodSettings'],
  accepts: {
    AccessLogSetting: NO_OBSERVABILITY,
    TracingEnabled: NO_OBSERVABILITY,
    Description: DESCRIPTIVE,
    Tags: TAGS,
  },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const where = `${ctx.stack.stackName}/${logicalId} (AWS::ApiGateway::Stage)`;
    const api = apiOf(ctx, p.RestApiId, where);
    api.stageName = asText(p.StageName);
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
          `${where}: MethodSettings throttling for ${asText(s.HttpMethod)} ${asText(s.ResourcePath)} is not supported offline yet (stage-wide "*" "/*" is)`,
        );
      }
      api.throttle = { rate: s.ThrottlingRateLimit ?? 10000, burst: s.ThrottlingBurstLimit ?? 5000 };
    }
    return { ref: asText(p.StageName), attributes: {} };
  },
};

const acceptedHere = (reason: string) => accepted(reason, regional('apigateway', ''));

/** API Gateway REST APIs, served by the runtime's own gateway. */
export const apigateway: ServiceModule = {
  name: 'apigateway',
  state: ApiGatewayService,
  provisioners: {
    'AWS::ApiGateway::RestApi': restApi,
    'AWS::ApiGateway::Resource': resource,
    'AWS::ApiGateway::Method': method,
    'AWS::ApiGateway::RequestValidator': requestValidator,
    'AWS::ApiGateway::Model': model,
    'AWS::ApiGateway::Authorizer': authorizer,
    'AWS::ApiGateway::ApiKey': apiKey,
    'AWS::ApiGateway::UsagePlan': usagePlan,
    'AWS::ApiGateway::UsagePlanKey': usagePlanKey,
    'AWS::ApiGateway::GatewayResponse': gatewayResponse,
    'AWS::ApiGateway::Stage': stage,
    'AWS::ApiGateway::Deployment': acceptedHere(
      'the local gateway serves the template as synthesized; there is nothing to deploy',
    ),
    'AWS::ApiGateway::Account': acceptedHere(NO_OBSERVABILITY),
  },
};
