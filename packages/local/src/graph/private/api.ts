import type { FlowEdgeKind } from '../model.js';
import type { GraphBuilder } from './builder.js';
import { isObject } from './references.js';

/**
 * API routes: a node per method of a REST API (path from its `AWS::ApiGateway::Resource` chain) and per
 * route of an HTTP or WebSocket API, an edge from the API to each, and from each route to what its
 * integration calls: a function (Lambda proxy) or the resource of an AWS service integration, found in
 * the integration's URI, request templates and request parameters. Lambda authorizers are invoked by the API.
 */
export function addApiFlows(builder: GraphBuilder): void {
  addRestApiRoutes(builder);
  addHttpApiRoutes(builder);
  for (const type of ['AWS::ApiGateway::Authorizer', 'AWS::ApiGatewayV2::Authorizer']) {
    for (const { stack, properties } of builder.resources(type)) {
      const [api] = builder.nodesIn(stack, properties.RestApiId ?? properties.ApiId);
      for (const fn of builder.nodesIn(stack, properties.AuthorizerUri))
        if (api) builder.addEdge(api, fn, 'invoke', 'authorizer');
    }
  }
}

function addRestApiRoutes(builder: GraphBuilder): void {
  for (const { stack, logicalId, properties } of builder.resources('AWS::ApiGateway::Method')) {
    const method = typeof properties.HttpMethod === 'string' ? properties.HttpMethod.toUpperCase() : 'ANY';
    const integration = isObject(properties.Integration) ? properties.Integration : {};
    if (method === 'OPTIONS' && integration.Type === 'MOCK') continue; // CORS preflight
    const [api] = builder.nodesIn(stack, properties.RestApiId);
    if (!api) continue;
    const route = `${method} ${restPath(builder, stack, properties.ResourceId)}`;
    const id = `${api} ${route}`;
    builder.addNode({ id, stack, logicalId, type: 'AWS::ApiGateway::Method', kind: 'route', label: route });
    builder.addEdge(api, id, 'invoke');
    addIntegration(builder, stack, id, {
      uri: integration.Uri,
      parameters: [integration.RequestTemplates, integration.RequestParameters],
    });
  }
}

function addHttpApiRoutes(builder: GraphBuilder): void {
  for (const { stack, logicalId, properties } of builder.resources('AWS::ApiGatewayV2::Route')) {
    const [api] = builder.nodesIn(stack, properties.ApiId);
    if (!api || typeof properties.RouteKey !== 'string') continue;
    const id = `${api} ${properties.RouteKey}`;
    builder.addNode({
      id,
      stack,
      logicalId,
      type: 'AWS::ApiGatewayV2::Route',
      kind: 'route',
      label: properties.RouteKey,
    });
    builder.addEdge(api, id, 'invoke');
    for (const ref of builder.index.refs(stack, properties.Target)) {
      const integration = builder.index.resource(ref.stack, ref.logicalId);
      if (integration?.Type !== 'AWS::ApiGatewayV2::Integration') continue;
      const p = integration.Properties ?? {};
      addIntegration(builder, ref.stack, id, {
        uri: p.IntegrationUri,
        subtype: typeof p.IntegrationSubtype === 'string' ? p.IntegrationSubtype : undefined,
        parameters: [p.RequestParameters, p.RequestTemplates],
      });
    }
  }
}

/** The path of a REST API resource, from its `PathPart` and its parents'. */
function restPath(builder: GraphBuilder, stack: string, resourceId: unknown, depth = 0): string {
  const [ref] = builder.index.refs(stack, resourceId);
  if (!ref || ref.attribute === 'RootResourceId' || depth > 32) return '/';
  const resource = builder.index.resource(ref.stack, ref.logicalId);
  if (resource?.Type !== 'AWS::ApiGateway::Resource') return '/';
  const part = resource.Properties?.PathPart;
  const parent = restPath(builder, ref.stack, resource.Properties?.ParentId, depth + 1);
  return `${parent === '/' ? '' : parent}/${typeof part === 'string' ? part : '{?}'}`;
}

interface Integration {
  readonly uri: unknown;
  readonly subtype?: string;
  readonly parameters: readonly unknown[];
}

function addIntegration(builder: GraphBuilder, stack: string, route: string, integration: Integration): void {
  const uri = builder.index.render(stack, integration.uri, () => '@') ?? '';
  const functions = builder
    .nodesIn(stack, integration.uri)
    .filter((id) => builder.node(id)?.kind === 'function');
  if (/:lambda:path\//.test(uri) || (functions.length > 0 && !integration.subtype)) {
    for (const fn of functions) builder.addEdge(route, fn, 'invoke');
    return;
  }
  const action = serviceAction(builder, stack, uri, integration);
  const kind = actionKind(action);
  const targets = builder.nodesIn(stack, [integration.uri, ...integration.parameters]);
  for (const target of targets) builder.addEdge(route, target, kind, action);
}

/** `SendMessage`, `PutRecord`, `StartExecution`… of a service integration, from its URI, subtype or template. */
function serviceAction(
  builder: GraphBuilder,
  stack: string,
  uri: string,
  integration: Integration,
): string | undefined {
  if (integration.subtype) return integration.subtype.split('-').pop();
  const fromUri = /:action\/([A-Za-z]+)/.exec(uri)?.[1];
  if (fromUri) return fromUri;
  for (const parameters of integration.parameters) {
    if (!isObject(parameters)) continue;
    for (const template of Object.values(parameters)) {
      const text = builder.index.render(stack, template, () => '@') ?? '';
      const action = /(?:^|[&?])Action=([A-Za-z]+)/.exec(text)?.[1];
      if (action) return action;
    }
  }
  return undefined;
}

/** The edge kind of an API action: reads for gets and queries, invoke for starts, else writes. */
export function actionKind(action: string | undefined): FlowEdgeKind {
  if (!action) return 'writes';
  if (/^(Start(Sync)?Execution|Invoke)/.test(action)) return 'invoke';
  if (/^(Get|BatchGet|Query|Scan|Receive|Describe|List)/.test(action)) return 'reads';
  return 'writes';
}
