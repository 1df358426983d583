import { Gateway, type ApiKeySpec, type GatewayApi, type UsagePlanSpec } from './gateway.js';
import { asText } from '../../core/intrinsics.js';
import { UnsupportedResourceError } from '../../core/provisioning.js';
import type { ServiceRuntime, ServiceState } from '../../core/services.js';
import { LambdaService } from '../lambda/service.js';
import { StepFunctionsService } from '../stepfunctions/service.js';

/**
 * API Gateway of one runtime: the REST APIs, request validators, API keys and usage plans the templates
 * declare, and the gateway that serves the API once everything exists.
 */
export class ApiGatewayService implements ServiceState {
  /** REST APIs by id, filled as their resources and methods are created. */
  public readonly apis = new Map<string, GatewayApi>();
  /** Request validators by id. */
  public readonly validators = new Map<string, { parameters: boolean; body: boolean }>();
  /** API keys by id. */
  public readonly apiKeys = new Map<string, ApiKeySpec>();
  /** Usage plans, with the keys added to them. */
  public readonly usagePlans: UsagePlanSpec[] = [];
  /** The gateway's base URL once it listens, when the application has a REST API. */
  public baseUrl?: string;
  private gateway?: Gateway;

  constructor(private readonly runtime: ServiceRuntime) {}

  /** A REST API of the application by id, or a refusal naming `where`. */
  public api(id: unknown, where: string): GatewayApi {
    const api = this.apis.get(asText(id));
    if (!api)
      throw new UnsupportedResourceError(
        `${where}: RestApiId ${asText(id)} names no REST API of the application`,
      );
    return api;
  }

  /** An enabled API key of each usage plan, by plan name. */
  public keysByPlan(): Record<string, string> {
    const keys: Record<string, string> = {};
    for (const plan of this.usagePlans) {
      const key = plan.keyIds.map((id) => this.apiKeys.get(id)).find((k) => k?.enabled);
      if (key) keys[plan.name] = key.value;
    }
    return keys;
  }

  /** The base URL of the REST API served, by API id (the `Ref` of its `AWS::ApiGateway::RestApi`). */
  public urls(): Record<string, string> {
    const [api] = this.apis.values();
    return api && this.baseUrl !== undefined ? { [api.apiId]: this.baseUrl } : {};
  }

  /** Serves the application's REST API; the offline gateway serves one, at its base URL. */
  public async start(): Promise<void> {
    if (this.apis.size > 1) {
      throw new UnsupportedResourceError(
        `the application has ${this.apis.size} REST APIs; the offline gateway serves one at its base URL`,
      );
    }
    const [api] = this.apis.values();
    if (!api) return;
    const { env, engines, options, health } = this.runtime;
    const gateway = new Gateway(
      api,
      this.runtime.service(LambdaService).host,
      env.accountId,
      { usagePlans: this.usagePlans, apiKeys: this.apiKeys },
      env.region,
      {
        sqs: engines.sqs,
        kinesis: engines.kinesis,
        stepFunctions: this.runtime.service(StepFunctionsService).engine,
      },
      health,
    );
    this.baseUrl = await gateway.listen(options.port ?? 3000);
    this.gateway = gateway;
  }

  public async close(): Promise<void> {
    await this.gateway?.close();
  }
}
