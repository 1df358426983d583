import { asText } from '../../core/intrinsics.js';
import { UnsupportedResourceError } from '../../core/provisioning.js';
import type { ServiceRuntime, ServiceState } from '../../core/services.js';
import { ApiGatewayService } from '../apigateway/service.js';
import { consoleOf } from '../../console/route.js';
import { LambdaService } from '../lambda/service.js';
import { JwtVerifier } from './jwt.js';
import { HttpApiServer } from './server.js';
import type { HttpApiSpec } from './types.js';

/**
 * API Gateway HTTP APIs of one runtime: the APIs the templates declare and, once everything exists, one
 * server for each. When the application has no REST API, the first HTTP API listens on the runtime's port
 * (`options.port`, default 3000) and is the runtime's base URL; every other one takes a free port.
 */
export class ApiGatewayV2Service implements ServiceState {
  /** HTTP APIs by id, in the order they were created. */
  public readonly apis = new Map<string, HttpApiSpec>();
  /** The first HTTP API's URL when it has the runtime's port (the application has no REST API). */
  public baseUrl?: string;
  private readonly served = new Map<string, string>();
  private readonly servers: HttpApiServer[] = [];

  constructor(private readonly runtime: ServiceRuntime) {}

  /** An HTTP API of the application by id, or a refusal naming `where`. */
  public api(id: unknown, where: string): HttpApiSpec {
    const api = this.apis.get(asText(id));
    if (!api)
      throw new UnsupportedResourceError(
        `${where}: ApiId ${asText(id)} names no HTTP API of the application`,
      );
    return api;
  }

  /** The base URL of every HTTP API served, by API id (the `Ref` of its `AWS::ApiGatewayV2::Api`). */
  public urls(): Record<string, string> {
    return Object.fromEntries(this.served);
  }

  public async start(): Promise<void> {
    const { env, options, health } = this.runtime;
    const hasRestApi = this.runtime.service(ApiGatewayService).apis.size > 0;
    const jwt = new JwtVerifier(options.jwks);
    let first = !hasRestApi;
    for (const api of this.apis.values()) {
      const { host } = this.runtime.service(LambdaService);
      const server = new HttpApiServer(api, {
        host,
        jwt,
        accountId: env.accountId,
        region: env.region,
        health,
        // With no REST API, the first HTTP API is the base URL, and serves the console.
        ...(first ? { console: () => consoleOf(host) } : {}),
      });
      const url = await server.listen(first ? (options.port ?? 3000) : 0);
      this.servers.push(server);
      this.served.set(api.apiId, url);
      if (first) this.baseUrl = url;
      first = false;
    }
  }

  public async close(): Promise<void> {
    await Promise.all(this.servers.map(async (s) => s.close()));
  }
}
