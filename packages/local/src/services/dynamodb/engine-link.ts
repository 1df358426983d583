import { Agent, request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';

/**
 * The one access key every request reaches DynamoDB Local with. Started without `-sharedDb`, DynamoDB Local
 * keeps a database per access key and Region: one key makes the database a function of the Region alone.
 */
export const ENGINE_ACCESS_KEY = 'conflux';

/** An answer of DynamoDB Local, read whole. */
export interface EngineAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** `Credential=<AK>/<date>/<region>/<service>/aws4_request` of a SigV4 `Authorization` header. */
const CREDENTIAL = /Credential=([^/,\s]*)\/([^/,\s]+)\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

/** The Region a request is signed for, or undefined when it carries no SigV4 credential. */
export function signedRegion(authorization: string | undefined): string | undefined {
  return authorization ? CREDENTIAL.exec(authorization)?.[3] : undefined;
}

/**
 * The `Authorization` header with its access key replaced by {@link ENGINE_ACCESS_KEY} and, when given, its
 * Region by `region` (the database the request is served from).
 */
export function rewriteAccessKey(authorization: string, region?: string): string {
  return authorization.replace(
    CREDENTIAL,
    (_all, _key: string, date: string, signed: string, service: string) =>
      `Credential=${ENGINE_ACCESS_KEY}/${date}/${region ?? signed}/${service}/aws4_request`,
  );
}

/** Headers that belong to one connection, not to the request or answer passed on. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade']);

/** `headers` without the hop-by-hop ones. */
export function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

/**
 * The router's connection to DynamoDB Local: kept-alive sockets, requests passed on as they came (streamed
 * or buffered), and the router's own calls signed (unchecked, as DynamoDB Local does not check signatures)
 * for a given Region.
 */
export class EngineLink {
  /** Sockets of the requests passed on for callers. */
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  /** Sockets of the router's own calls (read-backs, deliveries): callers' requests cannot starve them. */
  private readonly ownAgent = new Agent({ keepAlive: true, maxSockets: 32 });
  private readonly url: URL;

  constructor(endpoint: string) {
    this.url = new URL(endpoint);
  }

  /**
   * Sends a request on to the engine; resolves with the engine's answer, its body still to be read. A body
   * streamed in that aborts aborts the request to the engine; an engine that fails before reading the whole
   * body leaves the rest drained, so the caller can still be answered. `signal` aborts the request.
   */
  public async send(
    method: string,
    path: string,
    headers: IncomingHttpHeaders,
    body: Buffer | Readable,
    options: { own?: boolean; signal?: AbortSignal } = {},
  ): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const upstream = request(
        {
          host: this.url.hostname,
          port: this.url.port,
          method,
          path,
          headers: endToEnd(headers),
          agent: options.own ? this.ownAgent : this.agent,
          ...(options.signal ? { signal: options.signal } : {}),
        },
        resolve,
      );
      upstream.on('error', (error) => {
        if (!Buffer.isBuffer(body)) {
          body.unpipe(upstream);
          body.resume();
        }
        reject(error);
      });
      if (Buffer.isBuffer(body)) {
        upstream.end(body);
        return;
      }
      const abort = () => {
        if (!body.readableEnded) upstream.destroy(new Error('the caller aborted the request body'));
      };
      body.once('error', abort);
      body.once('aborted', abort);
      body.once('close', abort);
      body.pipe(upstream);
    });
  }

  /** Sends a request on and reads the whole answer. */
  public async exchange(
    method: string,
    path: string,
    headers: IncomingHttpHeaders,
    body: Buffer,
    own = false,
  ): Promise<EngineAnswer> {
    const answer = await this.send(method, path, headers, body, { own });
    return { status: answer.statusCode ?? 500, headers: answer.headers, body: await readAll(answer) };
  }

  /** Calls a DynamoDB operation in `region`'s database; rejects when the engine answers an error. */
  public async call<T = Record<string, unknown>>(
    region: string,
    operation: string,
    input: unknown,
  ): Promise<T> {
    const body = Buffer.from(JSON.stringify(input));
    const answer = await this.exchange(
      'POST',
      '/',
      engineHeaders(region, operation, body.length),
      body,
      true,
    );
    const text = answer.body.toString();
    if (answer.status !== 200) {
      throw new Error(`DynamoDB Local answered ${operation} in ${region} with ${answer.status}: ${text}`);
    }
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** Closes the kept-alive sockets. */
  public close(): void {
    this.agent.destroy();
    this.ownAgent.destroy();
  }
}

/** Headers of a call of the router's own, signed (in form only) for `region`. */
function engineHeaders(region: string, operation: string, length: number): IncomingHttpHeaders {
  return {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': String(length),
    'x-amz-target': `DynamoDB_20120810.${operation}`,
    'x-amz-date': '20200101T000000Z',
    authorization: `AWS4-HMAC-SHA256 Credential=${ENGINE_ACCESS_KEY}/20200101/${region}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
  };
}

/** Every byte of a stream. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
