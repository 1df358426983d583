import type { JsonSchema } from './schema';

// The routes of a synthesized REST API, derived from its template.

/** A method of the REST API, as the template declares it. */
export interface FuzzRoute {
  /** `POST /v1/accounts/{accountId}/deposits` */
  readonly key: string;
  readonly method: string;
  readonly path: string;
  readonly segments: readonly string[];
  /** No authorizer (`AuthorizationType: NONE`). */
  readonly open: boolean;
  readonly apiKeyRequired: boolean;
  readonly integration: 'lambda' | 'sqs' | 'kinesis' | 'other';
  /** The `application/json` request model. */
  readonly model?: JsonSchema;
  /** The largest body the route's backend takes: the function's `MAX_BODY_BYTES`, SQS's or Kinesis' limit. */
  readonly bodyLimit?: number;
  readonly scopes: readonly string[];
}

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

const SQS_MESSAGE_LIMIT = 262_144;
const KINESIS_RECORD_LIMIT = 1_048_576;
/** API Gateway's payload limit. */
export const GATEWAY_BODY_LIMIT = 10 * 1024 * 1024;

/** Every method of the template's REST API (CORS preflights aside), with what the fuzzer needs to know. */
export function routesOf(template: { Resources?: Record<string, CfnResource> }): FuzzRoute[] {
  const resources = template.Resources ?? {};
  const props = (id: string) => resources[id]?.Properties ?? {};
  const refOf = (value: unknown) => (value as { Ref?: string } | undefined)?.Ref;
  const pathOf = (resourceId: unknown): string[] => {
    const id = refOf(resourceId);
    if (id === undefined) return []; // Fn::GetAtt RootResourceId
    const p = props(id);
    return [...pathOf(p.ParentId), String(p.PathPart)];
  };
  const routeScopes: Record<string, string[]> = {};
  for (const r of Object.values(resources)) {
    const env = (r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
    if (r.Type === 'AWS::Lambda::Function' && typeof env?.ROUTE_SCOPES === 'string') {
      Object.assign(routeScopes, JSON.parse(env.ROUTE_SCOPES) as Record<string, string[]>);
    }
  }
  const routes: FuzzRoute[] = [];
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::ApiGateway::Method') continue;
    const p = r.Properties ?? {};
    const method = String(p.HttpMethod);
    if (method === 'OPTIONS') continue;
    const segments = pathOf(p.ResourceId);
    const path = `/${segments.join('/')}`;
    const integration = (p.Integration ?? {}) as { Type?: string; Uri?: unknown };
    const uri = JSON.stringify(integration.Uri ?? '');
    const modelId = refOf((p.RequestModels as Record<string, unknown> | undefined)?.['application/json']);
    const model = modelId === undefined ? undefined : (props(modelId).Schema as JsonSchema | undefined);
    let kind: FuzzRoute['integration'] = 'other';
    let bodyLimit: number | undefined;
    if (integration.Type === 'AWS_PROXY') {
      kind = 'lambda';
      const fn = /"Fn::GetAtt":\["([^"]+)","Arn"\]/.exec(uri)?.[1] ?? '';
      const env = (props(fn).Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
      bodyLimit = env?.MAX_BODY_BYTES === undefined ? undefined : Number(env.MAX_BODY_BYTES);
    } else if (integration.Type === 'AWS' && uri.includes(':sqs:')) {
      kind = 'sqs';
      const queue = /"Fn::GetAtt":\["([^"]+)","QueueName"\]/.exec(uri)?.[1] ?? '';
      bodyLimit = Number(props(queue).MaximumMessageSize ?? SQS_MESSAGE_LIMIT);
    } else if (integration.Type === 'AWS' && uri.includes(':kinesis:')) {
      kind = 'kinesis';
      bodyLimit = KINESIS_RECORD_LIMIT;
    }
    const key = `${method} ${path}`;
    routes.push({
      key,
      method,
      path,
      segments,
      open: p.AuthorizationType === 'NONE',
      apiKeyRequired: p.ApiKeyRequired === true,
      integration: kind,
      model,
      bodyLimit,
      scopes: routeScopes[key] ?? [],
    });
  }
  return routes.sort((a, b) => a.key.localeCompare(b.key));
}
