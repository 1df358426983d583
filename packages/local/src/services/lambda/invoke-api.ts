import { createServer, type Server } from 'node:http';
import type { AsyncInvoker } from './async-invoker.js';
import { closeServer, listenLocal } from '../../core/http-server.js';
import type { LambdaHost } from './host.js';

/**
 * The Lambda `Invoke` API for SDK clients (`AWS_ENDPOINT_URL_LAMBDA`): `RequestResponse` answers 200 with
 * the payload (and `X-Amz-Function-Error: Unhandled` with the error payload on failure), `Event` answers
 * 202 and hands the event to the asynchronous invoker, `DryRun` answers 204.
 */
export class LambdaApi {
  private server?: Server;

  constructor(
    private readonly host: LambdaHost,
    private readonly asyncInvoker: AsyncInvoker,
  ) {}

  /** Starts listening on a free port; resolves with the endpoint. */
  public async listen(): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '');
        const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
          res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
          res.end(body === undefined ? '' : JSON.stringify(body));
        };
        const name = decodeURIComponent(match?.[1] ?? '');
        if (req.method !== 'POST' || !match) {
          send(404, {
            Type: 'User',
            message: `${req.method ?? ''} ${req.url ?? ''} is not supported by the offline runtime`,
          });
          return;
        }
        if (!this.host.get(name)) {
          send(
            404,
            { Type: 'User', message: `Function not found: ${name}` },
            { 'x-amzn-ErrorType': 'ResourceNotFoundException' },
          );
          return;
        }
        let event: unknown;
        try {
          const text = Buffer.concat(chunks).toString();
          event = text === '' ? {} : (JSON.parse(text) as unknown);
        } catch {
          send(
            400,
            { Type: 'User', message: 'Could not parse request body into json' },
            { 'x-amzn-ErrorType': 'InvalidRequestContentException' },
          );
          return;
        }
        const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
        if (type === 'DryRun') {
          send(204, undefined);
          return;
        }
        if (type === 'Event') {
          const requestId = this.asyncInvoker.invoke(name, event);
          send(202, undefined, { 'x-amzn-RequestId': requestId });
          return;
        }
        void this.host.invoke(name, event).then((result) => {
          if (result.ok) send(200, result.payload, { 'X-Amz-Executed-Version': '$LATEST' });
          else
            send(200, result.error, {
              'X-Amz-Function-Error': 'Unhandled',
              'X-Amz-Executed-Version': '$LATEST',
            });
        });
      });
    });
    this.server = server;
    return listenLocal(server);
  }

  /** Stops listening. */
  public async close(): Promise<void> {
    await closeServer(this.server);
  }
}
