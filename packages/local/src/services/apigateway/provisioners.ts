import { randomBytes } from 'node:crypto';
import type { ApiKeySpec, GatewayApi, UsagePlanSpec } from './gateway.js';
import { method } from './method.js';
import { ApiGatewayService } from './service.js';
import { asText } from '../../core/intrinsics.js';
import { persistentStateOf } from '../../core/persistence.js';
import {
  accepted,
  NOT_ENFORCED,
  regional,
  staticText,
  TAGS,
  UNRESOLVED,
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

const authorizerProblems = (where: string, type: string) =>
  type === 'TOKEN' || type === 'REQUEST'
    ? []
    : [`${where}: Type ${type} is not supported offline (TOKEN and REQUEST are)`];

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
  check(ctx, p) {
    const type = staticText(p.Type) ?? '';
    return type === UNRESOLVED ? [] : authorizerProblems(ctx.where, type);
  },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const where = `${ctx.stack.stackName}/${logicalId} (AWS::ApiGateway::Authorizer)`;
    const api = apiOf(ctx, p.RestApiId, where);
    const type = asText(p.Type);
    if (type !== 'TOKEN' && type !== 'REQUEST') {
      throw new UnsupportedResourceError(authorizerProblems(where, type)[0]);
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
    // AWS generates a 40-character alphanumeric value when none is given.
    const generate = () =>
      randomBytes(30)
        .toString('base64')
        .replace(/[^A-Za-z0-9]/g, '')
        .slice(0, 40);
    // With --persist, a generated key keeps its value across restarts, as a deployed key does.
    const persisted = persistentStateOf(ctx.service(ApiGatewayService));
    const key: ApiKeySpec = {
      id,
      name: p.Name === undefined ? logicalId : asText(p.Name),
      value:
        p.Value !== undefined
          ? asText(p.Value)
          : persisted
            ? persisted.apiKey(`${ctx.stack.stackName}/${logicalId}`, generate)
            : generate(),
      enabled: p.Enabled === undefined ? true : truthy(p.Enabled),
    };
    ctx.service(ApiGatewayService).apiKeys.set(id, key);
    return { ref: id, attributes: { APIKeyId: id } };
  },
};

type Throttle = { RateLimit?: number; BurstLimit?: number };
const throttleOf = (t: Throttle | undefined) =>
  t === undefined ? undefined : { rate: t.RateLimit ?? 10000, burst: t.BurstLimit ?? 5000 };

const usagePlanProblems = (where: string, p: Readonly<Record<string, unknown>>) =>
  (p.Quota as { Offset?: unknown } | undefined)?.Offset
    ? [`${where}: Quota.Offset is not supported offline`]
    : [];

const usagePlan: Provisioner = {
  applies: ['ApiStages', 'Throttle', 'Quota', 'UsagePlanName'],
  accepts: { Description: DESCRIPTIVE, Tags: TAGS },
  check(ctx, p) {
    return usagePlanProblems(ctx.where, p);
  },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const id = newId();
    const quota = p.Quota as { Limit?: number; Period?: string; Offset?: number } | undefined;
    const [problem] = usagePlanProblems(
      `${ctx.stack.stackName}/${logicalId} (AWS::ApiGateway::UsagePlan)`,
      p,
    );
    if (problem !== undefined) throw new UnsupportedResourceError(problem);
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

interface MethodSetting {
  HttpMethod?: string;
  ResourcePath?: string;
  ThrottlingRateLimit?: number;
  ThrottlingBurstLimit?: number;
}

const throttles = (p: Readonly<Record<string, unknown>>) =>
  ((p.MethodSettings as MethodSetting[] | undefined) ?? []).filter(
    (s) => s.ThrottlingRateLimit !== undefined || s.ThrottlingBurstLimit !== undefined,
  );

const stageProblems = (where: string, p: Readonly<Record<string, unknown>>) =>
  throttles(p)
    .filter((s) => s.HttpMethod !== '*' || s.ResourcePath !== '/*')
    .map(
      (s) =>
        `${where}: MethodSettings throttling for ${asText(s.HttpMethod)} ${asText(s.ResourcePath)} is not supported offline yet (stage-wide "*" "/*" is)`,
    );

const stage: Provisioner = {
  applies: ['RestApiId', 'StageName', 'DeploymentId', 'MethodSettings', 'Variables'],
  accepts: {
    AccessLogSetting: NO_OBSERVABILITY,
    TracingEnabled: NO_OBSERVABILITY,
    Description: DESCRIPTIVE,
    Tags: TAGS,
  },
  check(ctx, p) {
    return stageProblems(ctx.where, p);
  },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const where = `${ctx.stack.stackName}/${logicalId} (AWS::ApiGateway::Stage)`;
    const api = apiOf(ctx, p.RestApiId, where);
    const [problem] = stageProblems(where, p);
    if (problem !== undefined) throw new UnsupportedResourceError(problem);
    api.stageName = asText(p.StageName);
    api.stageVariables = Object.fromEntries(
      Object.entries((p.Variables as Record<string, unknown> | undefined) ?? {}).map(([k, v]) => [
        k,
        asText(v),
      ]),
    );
    for (const s of throttles(p)) {
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
