/**
 * `AWS::ApiGateway::Method`: its integration (Lambda proxy, MOCK, or an AWS service the runtime has an engine
 * for) and its request checks. What the offline gateway cannot run is found from the template alone
 * (`check`, before any engine starts) with the same words `create` would refuse it with.
 */
import { randomBytes } from 'node:crypto';
import { ApiGatewayService } from './service.js';
import { SUPPORTED_ACTIONS } from './service-integrations.js';
import type { GatewayMethod, IntegrationResponseSpec, MappedIntegration } from './types.js';
import { asText } from '../../core/intrinsics.js';
import {
  staticText,
  UNRESOLVED,
  UnsupportedResourceError,
  type ProvisionContext,
  type Provisioner,
} from '../../core/provisioning.js';
import { LambdaService } from '../lambda/service.js';

const truthy = (v: unknown) => v === true || v === 'true';

/** `Integration` of a method as the template writes it. */
interface IntegrationProps {
  Type?: unknown;
  Uri?: unknown;
  RequestTemplates?: Record<string, string>;
  PassthroughBehavior?: string;
  IntegrationResponses?: {
    StatusCode?: unknown;
    SelectionPattern?: string;
    ResponseTemplates?: Record<string, string>;
    ResponseParameters?: Record<string, unknown>;
  }[];
}

/** The text of a value: as synthesized in `check` (references unresolved), resolved in `create`. */
type TextOf = (value: unknown) => string | undefined;

const LAMBDA_URI = /functions\/(.+)\/invocations$/;
const SERVICE_URI = /^arn:[^:]+:apigateway:[^:]*:([a-z0-9-]+):(action|path)\/(.+)$/;
const SUPPORTED_SERVICES = ['sqs', 'kinesis', 'states'] as const;

/** Where a method response header may come from: `'literal'`, the integration response, context, stage. */
const RESPONSE_PARAMETER_SOURCE =
  /^(?:'.*'|integration\.response\.(?:header|multivalueheader)\.[^.]+|integration\.response\.body(?:\..+)?|context\..+|stageVariables\..+)$/s;

/** The service, kind and action or path of an `AWS` integration's URI, or the problem with it. */
function serviceTarget(
  uri: string,
  where: string,
): { service: (typeof SUPPORTED_SERVICES)[number]; kind: string; rest: string } | { problem?: string } {
  const match = SERVICE_URI.exec(uri);
  const service = SUPPORTED_SERVICES.find((s) => s === match?.[1]);
  if (!match || !service) {
    // A URI whose service part is still a reference is checked again once it resolves.
    if (!match && uri.includes(UNRESOLVED)) return {};
    return {
      problem: `${where}: Integration.Uri ${uri}: only SQS, Kinesis and Step Functions integrations are supported offline`,
    };
  }
  const kind = match[2] ?? '';
  const rest = match[3] ?? '';
  const action = kind === 'action' ? rest.split('&')[0] : undefined;
  if (action !== undefined && !(SUPPORTED_ACTIONS[service] as readonly string[]).includes(action)) {
    return {
      problem: `${where}: ${service} action ${action} is not supported offline (${SUPPORTED_ACTIONS[service].join(', ')} are)`,
    };
  }
  if (service !== 'sqs' && kind === 'path') {
    return {
      problem: `${where}: ${service} path-style integrations are not supported offline; use an action URI`,
    };
  }
  return { service, kind, rest };
}

/** Every problem of a method the offline gateway cannot run, each naming the property. */
function methodProblems(where: string, p: Readonly<Record<string, unknown>>, textOf: TextOf): string[] {
  const problems: string[] = [];
  const authorization = textOf(p.AuthorizationType) ?? 'NONE';
  if (authorization !== UNRESOLVED && authorization !== 'NONE' && authorization !== 'CUSTOM') {
    problems.push(
      `${where}: AuthorizationType ${authorization} is not supported offline (NONE and CUSTOM are)`,
    );
  }
  const integration = p.Integration as IntegrationProps | undefined;
  const type = textOf(integration?.Type);
  const uri = textOf(integration?.Uri) ?? '';
  if (type === 'AWS_PROXY') {
    if (!LAMBDA_URI.test(uri)) {
      problems.push(`${where}: Integration.Uri ${uri} names no Lambda function of the application`);
    }
  } else if (type === 'AWS') {
    const target = serviceTarget(uri, where);
    if ('problem' in target && target.problem !== undefined) problems.push(target.problem);
  } else if (type !== 'MOCK' && type !== UNRESOLVED) {
    problems.push(
      `${where}: Integration.Type ${type ?? ''} is not supported offline (AWS_PROXY, AWS and MOCK are)`,
    );
  }
  if (type === 'AWS' || type === 'MOCK') {
    (integration?.IntegrationResponses ?? []).forEach((response, i) => {
      for (const [key, value] of Object.entries(response.ResponseParameters ?? {})) {
        const source = textOf(value) ?? '';
        const property = `Integration.IntegrationResponses[${i}].ResponseParameters`;
        if (!key.startsWith('method.response.header.')) {
          problems.push(
            `${where}: ${property} maps ${key}; only method.response.header.* parameters are supported offline`,
          );
        } else if (!source.includes(UNRESOLVED) && !RESPONSE_PARAMETER_SOURCE.test(source)) {
          problems.push(
            `${where}: ${property} ${key} = ${source} is not supported offline ('literal', integration.response.header, .multivalueheader, .body, context and stageVariables are)`,
          );
        }
      }
    });
  }
  return problems;
}

/** The request templates, passthrough and integration responses of a MOCK or AWS integration. */
function mappedIntegration(integration: IntegrationProps): MappedIntegration {
  const passthrough = integration.PassthroughBehavior ?? 'WHEN_NO_MATCH';
  return {
    requestTemplates: integration.RequestTemplates ?? {},
    passthrough:
      passthrough === 'NEVER' || passthrough === 'WHEN_NO_TEMPLATES' ? passthrough : 'WHEN_NO_MATCH',
    responses: (integration.IntegrationResponses ?? []).map((r): IntegrationResponseSpec => ({
      statusCode: Number(r.StatusCode ?? 200),
      selectionPattern:
        r.SelectionPattern === undefined || r.SelectionPattern === '' ? undefined : r.SelectionPattern,
      templates: r.ResponseTemplates ?? {},
      parameters: Object.fromEntries(
        Object.entries(r.ResponseParameters ?? {}).map(([k, v]) => [
          k.replace('method.response.header.', ''),
          asText(v),
        ]),
      ),
    })),
  };
}

function integrationOf(
  ctx: ProvisionContext,
  integration: IntegrationProps,
  where: string,
): GatewayMethod['integration'] {
  const type = asText(integration.Type);
  const uri = asText(integration.Uri);
  if (type === 'AWS_PROXY') {
    const functionArn = LAMBDA_URI.exec(uri)?.[1];
    if (!functionArn || !ctx.service(LambdaService).host.get(functionArn)) {
      throw new UnsupportedResourceError(
        `${where}: Integration.Uri ${uri} names no Lambda function of the application`,
      );
    }
    return { type: 'AWS_PROXY', functionArn };
  }
  if (type === 'MOCK') return { type: 'MOCK', ...mappedIntegration(integration) };
  const target = serviceTarget(uri, where);
  if (!('service' in target))
    throw new UnsupportedResourceError(target.problem ?? `${where}: Integration.Uri`);
  return {
    type: 'AWS',
    service: target.service,
    action: target.kind === 'action' ? target.rest.split('&')[0] : undefined,
    path: target.kind === 'path' ? target.rest : undefined,
    ...mappedIntegration(integration),
  };
}

const newId = () => randomBytes(5).toString('hex');

/** `AWS::ApiGateway::Method`. */
export const method: Provisioner = {
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
    MethodResponses:
      'a Lambda proxy answers as its result says; a MOCK or AWS integration answers with the status its integration response names',
    OperationName: 'descriptive only',
    AuthorizationScopes:
      'scopes are checked by Cognito authorizers, which are not supported offline; a CUSTOM authorizer checks its own',
  },
  check(ctx, p) {
    return methodProblems(ctx.where, p, staticText);
  },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const where = `${ctx.stack.stackName}/${logicalId} (AWS::ApiGateway::Method)`;
    const api = ctx.service(ApiGatewayService).api(p.RestApiId, where);
    const [problem] = methodProblems(where, p, (v) => (v === undefined ? undefined : asText(v)));
    if (problem) throw new UnsupportedResourceError(problem);
    const authorization = asText(p.AuthorizationType ?? 'NONE');
    const integration = integrationOf(ctx, p.Integration as IntegrationProps, where);
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
      integration,
      requiredParameters: Object.entries((p.RequestParameters as Record<string, boolean> | undefined) ?? {})
        .filter(([, required]) => truthy(required))
        .map(([name]) => name.replace(/^method\.request\./, '')),
      validateParameters: validator?.parameters ?? false,
    });
    return { ref: newId(), attributes: {} };
  },
};
