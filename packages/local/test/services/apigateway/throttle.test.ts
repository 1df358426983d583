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
        integration: { type: 'MOCK', statusCode: 200, headers: {} },
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
