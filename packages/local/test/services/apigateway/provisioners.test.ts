import { describe, expect, it } from 'vitest';
import type { ProvisionContext } from '../../../src/core/provisioning.js';
import { LOCAL_ENV } from '../../../src/core/runtime.js';
import { ServiceSet, type ServiceRuntime } from '../../../src/core/services.js';
import { apigateway, ApiGatewayService } from '../../../src/services/apigateway/provisioners.js';

/** The API Gateway service alone, its provisioners run the way the runtime runs them. */
function apiGatewayAlone() {
  const services = new ServiceSet([apigateway], {} as Omit<ServiceRuntime, 'service' | 'endpoints'>);
  services.create();
  const ctx: ProvisionContext = {
    env: LOCAL_ENV,
    stack: {
      id: 'Api',
      stackName: 'shop-api',
      template: { Resources: {} },
      assetsByObjectKey: new Map(),
      dependencies: [],
    },
    workDir: '/nowhere',
    service: (state) => services.get(state),
  };
  const create = async (type: string, logicalId: string, props: Record<string, unknown>) => {
    const provisioner = apigateway.provisioners[type];
    if (!provisioner) throw new Error(`no ${type}`);
    return provisioner.create(ctx, logicalId, props);
  };
  return { state: services.get(ApiGatewayService), create };
}

describe('API Gateway provisioners', () => {
  it('keep the APIs, keys and usage plans in the service state, and answer an enabled key per plan', async () => {
    // GIVEN a REST API with a MOCK method, and a usage plan with a disabled and an enabled key
    const { state, create } = apiGatewayAlone();
    const api = await create('AWS::ApiGateway::RestApi', 'Api', { Name: 'shop' });
    await create('AWS::ApiGateway::Method', 'Get', {
      RestApiId: api.ref,
      ResourceId: api.attributes.RootResourceId,
      HttpMethod: 'GET',
      Integration: { Type: 'MOCK', IntegrationResponses: [{ StatusCode: '204' }] },
    });
    const plan = await create('AWS::ApiGateway::UsagePlan', 'Plan', { UsagePlanName: 'free' });
    for (const [id, enabled] of [
      ['Old', false],
      ['New', true],
    ] as const) {
      const key = await create('AWS::ApiGateway::ApiKey', id, { Value: `${id}-key`, Enabled: enabled });
      await create('AWS::ApiGateway::UsagePlanKey', `${id}PlanKey`, {
        KeyId: key.ref,
        KeyType: 'API_KEY',
        UsagePlanId: plan.ref,
      });
    }

    // THEN the state holds them, and the plan's key is the enabled one
    expect(state.apis.get(api.ref)?.methods).toMatchObject([
      { httpMethod: 'GET', integration: { type: 'MOCK', responses: [{ statusCode: 204 }] } },
    ]);
    expect(state.keysByPlan()).toEqual({ free: 'New-key' });
  });

  it('refuse a method of an API the application does not define, and a second REST API at start', async () => {
    const { state, create } = apiGatewayAlone();
    await expect(
      create('AWS::ApiGateway::Method', 'Get', { RestApiId: 'nope', HttpMethod: 'GET' }),
    ).rejects.toThrow(
      'shop-api/Get (AWS::ApiGateway::Method): RestApiId nope names no REST API of the application',
    );
    await create('AWS::ApiGateway::RestApi', 'One', {});
    await create('AWS::ApiGateway::RestApi', 'Two', {});
    await expect(state.start()).rejects.toThrow(
      'the application has 2 REST APIs; the offline gateway serves one at its base URL',
    );
  });
});
