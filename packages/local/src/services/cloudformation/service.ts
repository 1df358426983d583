import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { closeServer, listenLocal } from '../../core/http-server.js';
import type { ServiceEndpoint, ServiceRuntime, ServiceState } from '../../core/services.js';
import { LambdaService } from '../lambda/service.js';

/** The request CloudFormation sends a custom resource's function (here always `Create`). */
export interface CustomResourceRequest {
  readonly RequestType: 'Create';
  readonly ServiceToken: string;
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  readonly ResourceProperties: Record<string, unknown>;
}

/** What the function PUT to the response URL, once checked as CloudFormation checks it. */
export interface CustomResourceResponse {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly reason?: string;
  readonly physicalResourceId: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** A custom resource CloudFormation would have failed to create; start-up stops with this message. */
export class CustomResourceError extends Error {
  public override readonly name = 'CustomResourceError';
}

/** Where the response URLs live on the local server. */
const RESPONSE_PATH = '/cloudformation-response/';

/** The largest response CloudFormation takes (4 096 bytes). */
const MAX_RESPONSE_BYTES = 4096;

interface Pending {
  readonly request: CustomResourceRequest;
  resolve(response: CustomResourceResponse): void;
  reject(error: Error): void;
}

/**
 * CloudFormation's side of custom resources: the server their functions PUT responses to (a response URL
 * per request, on the loopback interface; functions that PUT to it with `https` and no port, as CDK's
 * handlers do, reach it through the Lambda sandbox's stand-in), and running one request as a deployment
 * does: invoke the function, wait for its response.
 */
export class CloudFormationService implements ServiceState {
  private server?: Server;
  private baseUrl = '';
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly runtime: ServiceRuntime) {}

  public async listen(): Promise<readonly ServiceEndpoint[]> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const id = decodeURIComponent((req.url ?? '').slice(RESPONSE_PATH.length).split('?')[0] ?? '');
        const pending = req.method === 'PUT' ? this.pending.get(id) : undefined;
        if (!pending) {
          res.writeHead(req.method === 'PUT' ? 404 : 405).end();
          return;
        }
        this.pending.delete(id);
        res.writeHead(200).end();
        try {
          pending.resolve(checkedResponse(pending.request, Buffer.concat(chunks)));
        } catch (error: unknown) {
          pending.reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
    this.server = server;
    this.baseUrl = await listenLocal(server);
    const url = new URL(this.baseUrl);
    this.runtime.service(LambdaService).standInForHttps({
      hostname: url.hostname,
      port: Number(url.port),
      pathPrefix: RESPONSE_PATH,
    });
    return [];
  }

  /**
   * Sends a `Create` request to the function of `serviceToken` and resolves with its response; rejects
   * when the function fails before it responds, or when no response arrives within `timeoutSeconds`.
   */
  public async create(
    stackName: string,
    logicalId: string,
    resourceType: string,
    serviceToken: string,
    properties: Record<string, unknown>,
    timeoutSeconds: number,
  ): Promise<CustomResourceResponse> {
    const { partition, region, accountId } = this.runtime.env;
    const requestId = randomUUID();
    const request: CustomResourceRequest = {
      RequestType: 'Create',
      ServiceToken: serviceToken,
      ResponseURL: `${this.baseUrl}${RESPONSE_PATH}${requestId}`,
      StackId: `arn:${partition}:cloudformation:${region}:${accountId}:stack/${stackName}/local`,
      RequestId: requestId,
      LogicalResourceId: logicalId,
      ResourceType: resourceType,
      ResourceProperties: { ServiceToken: serviceToken, ...properties },
    };
    const where = `${stackName}/${logicalId} (${resourceType})`;
    const host = this.runtime.service(LambdaService).host;
    return new Promise<CustomResourceResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(
          new CustomResourceError(
            `${where}: no response from ${serviceToken} within ${timeoutSeconds} s (ServiceTimeout); CloudFormation would fail the resource`,
          ),
        );
      }, timeoutSeconds * 1000);
      const settle =
        <T>(f: (value: T) => void) =>
        (value: T) => {
          clearTimeout(timer);
          f(value);
        };
      this.pending.set(requestId, {
        request,
        resolve: settle(resolve),
        reject: settle((error: Error) => {
          reject(new CustomResourceError(`${where}: ${error.message}`));
        }),
      });
      // CloudFormation invokes the function asynchronously and waits for the response; a function that
      // fails before it responds fails the resource here at once rather than after its retries and the hour.
      void host.invoke(serviceToken, request).then((result) => {
        if (result.ok || !this.pending.has(requestId)) return;
        this.pending.delete(requestId);
        clearTimeout(timer);
        reject(
          new CustomResourceError(
            `${where}: ${serviceToken} failed without responding: ${result.error.errorType}: ${result.error.errorMessage}`,
          ),
        );
      });
    });
  }

  public async close(): Promise<void> {
    for (const pending of this.pending.values()) pending.reject(new Error('the runtime stopped'));
    this.pending.clear();
    await closeServer(this.server);
  }
}

/** The response as CloudFormation reads it: JSON with a `Status`, the request's ids, a physical id. */
function checkedResponse(request: CustomResourceRequest, body: Buffer): CustomResourceResponse {
  if (body.length > MAX_RESPONSE_BYTES) {
    throw new Error(
      `Response object is too long (${body.length} bytes; CloudFormation takes ${MAX_RESPONSE_BYTES})`,
    );
  }
  let response: Record<string, unknown>;
  try {
    response = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new Error(
      `Invalid response object: the function's response is not JSON: ${body.toString('utf8').slice(0, 200)}`,
    );
  }
  const status = response.Status;
  if (status !== 'SUCCESS' && status !== 'FAILED') {
    throw new Error(
      `Invalid response object: Status is ${JSON.stringify(status)}; it must be SUCCESS or FAILED`,
    );
  }
  for (const field of ['StackId', 'RequestId', 'LogicalResourceId'] as const) {
    if (response[field] !== request[field]) {
      throw new Error(
        `Invalid response object: ${field} is ${JSON.stringify(response[field])}, not the request's ${JSON.stringify(request[field])}`,
      );
    }
  }
  const physicalResourceId = response.PhysicalResourceId;
  if (status === 'SUCCESS' && (typeof physicalResourceId !== 'string' || physicalResourceId === '')) {
    throw new Error('Invalid PhysicalResourceId: the response has none');
  }
  const data = response.Data;
  return {
    status,
    reason: typeof response.Reason === 'string' ? response.Reason : undefined,
    physicalResourceId: typeof physicalResourceId === 'string' ? physicalResourceId : '',
    data:
      data !== null && typeof data === 'object' && !Array.isArray(data)
        ? (data as Record<string, unknown>)
        : {},
  };
}
