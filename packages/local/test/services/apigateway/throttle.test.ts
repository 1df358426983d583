import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway, type GatewayApi } from '../../../src/services/apigateway/gateway.js';
import { LambdaHost } from '../../../src/services/lambda/host.js';
import type { ServiceClients } from '../../../src/services/apigateway/service-integrations.js';

describe('gateway stage throttling', () => {
  const api: GatewayApi = {
    apiId: 'api',
    rootResourceId: 'root',
    resources: new Map([['ping', { parentId: 'root', pathPart: 'ping' }]]),
    methods: [
      {
        httpMethod: 'GET',
        resourceId: 'ping',
        integration: {
          type: 'MOCK',
          requestTemplates: {},
          passthrough: 'WHEN_NO_MATCH',
          responses: [{ statusCode: 200, templates: {}, parameters: {} }],
        },
        apiKeyRequired: false,
        requestModels: {},
        validateBody: false,
        requiredParameters: [],
        validateParameters: false,
      },
    ],
    stageName: 'test',
    apiKeySource: 'HEADER',
    authorizers: new Map(),
    models: new Map(),
    gatewayResponses: new Map(),
    // A burst of 2 that refills one token every 1000 seconds: the third request in a row is over.
    throttle: { rate: 0.001, burst: 2 },
  };
  // MOCK integrations call no engine, so the service clients are never used.
  const gateway = new Gateway(
    api,
    new LambdaHost(),
    '000000000000',
    undefined,
    'us-east-1',
    {} as ServiceClients,
  );
  let base: string;
  beforeAll(async () => {
    base = await gateway.listen(0);
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('answers 429 Too Many Requests beyond the burst', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await fetch(`${base}/ping`)).status);
    expect(statuses).toEqual([200, 200, 429, 429]);
    const limited = await fetch(`${base}/ping`);
    expect(await limited.json()).toEqual({ message: 'Too Many Requests' });
  });
});

describe('gateway chain order around the stage throttle', () => {
  const mock = {
    type: 'MOCK',
    requestTemplates: {},
    passthrough: 'WHEN_NO_MATCH',
    responses: [{ statusCode: 200, templates: {}, parameters: {} }],
  } as const;
  const api: GatewayApi = {
    apiId: 'api',
    rootResourceId: 'root',
    resources: new Map([['orders', { parentId: 'root', pathPart: 'orders' }]]),
    methods: [
      {
        httpMethod: 'POST',
        resourceId: 'orders',
        integration: mock,
        apiKeyRequired: true,
        requestModels: { 'application/json': 'Order' },
        validateBody: true,
        requiredParameters: [],
        validateParameters: false,
      },
    ],
    stageName: 'test',
    apiKeySource: 'HEADER',
    authorizers: new Map(),
    models: new Map([['Order', { type: 'object', required: ['sku'] }]]),
    gatewayResponses: new Map(),
    throttle: { rate: 0.001, burst: 2 },
  };
  const gateway = new Gateway(
    api,
    new LambdaHost(),
    '000000000000',
    {
      apiKeys: new Map([['k', { id: 'k', name: 'k', value: 'the-key', enabled: true }]]),
      usagePlans: [
        { id: 'p', name: 'p', keyIds: ['k'], stages: [{ apiId: 'api', stage: 'test', methodThrottles: {} }] },
      ],
    },
    'us-east-1',
    {} as ServiceClients,
  );
  let base: string;
  beforeAll(async () => {
    base = await gateway.listen(0);
  });
  afterAll(async () => {
    await gateway.close();
  });

  const post = async (body: string, key?: string) =>
    (
      await fetch(`${base}/orders`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
      })
    ).status;

  it('counts only requests past the API key check, and throttles before validating the body', async () => {
    // No key: refused before the stage throttle, which keeps its two tokens.
    expect([await post('{}'), await post('{}'), await post('{}')]).toEqual([403, 403, 403]);
    // A bad body still takes a token: validation comes after the throttle.
    expect([await post('{}', 'the-key'), await post('{"sku":"a"}', 'the-key')]).toEqual([400, 200]);
    expect([await post('{}', 'the-key'), await post('{"sku":"a"}', 'the-key')]).toEqual([429, 429]);
  });
});
