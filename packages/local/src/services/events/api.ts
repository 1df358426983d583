import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenLocal } from '../../core/http-server.js';
import { PutEventsValidationError } from './envelope.js';
import { RuleFireError, type EventsService } from './service.js';

/**
 * The EventBridge API for SDK clients (`AWS_ENDPOINT_URL_EVENTBRIDGE`): `PutEvents` in the AWS JSON 1.1
 * protocol (`X-Amz-Target: AWSEvents.PutEvents`), plus the runtime's own routes, `GET /_conflux/rules`
 * (every rule, with the next fire time of its schedule) and `POST /_conflux/rules/<rule>/fire`.
 */
export class EventsApi {
  private server?: Server;

  constructor(private readonly events: EventsService) {}

  /** Starts listening on a free port; resolves with the endpoint. */
  public async listen(): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          this.handle(req, res, Buffer.concat(chunks).toString());
        } catch {
          // A fault of the runtime's, not of the request: no engine message goes out.
          res.writeHead(500, { 'Content-Type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify({ __type: 'InternalException', message: 'the offline EventBridge failed' }));
        }
      });
    });
    this.server = server;
    return listenLocal(server);
  }

  /** Stops listening. */
  public async close(): Promise<void> {
    await closeServer(this.server);
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // The runtime's own routes answer indented JSON: `conflux fire` prints it as it comes.
    const json = (status: number, value: unknown, type = 'application/json') => {
      res.writeHead(status, { 'Content-Type': type });
      res.end(type === 'application/json' ? JSON.stringify(value, null, 2) : JSON.stringify(value));
    };
    if (url.pathname === '/_conflux/rules' && req.method === 'GET') {
      json(200, { rules: this.events.rules() });
      return;
    }
    const fire = /^\/_conflux\/rules\/(.+)\/fire$/.exec(url.pathname);
    if (fire && req.method === 'POST') {
      let rule: string;
      try {
        rule = decodeURIComponent(fire[1] ?? '');
      } catch {
        json(400, { message: 'the rule name is not a valid percent-encoded name' });
        return;
      }
      try {
        json(200, this.events.fire(rule));
      } catch (error: unknown) {
        if (!(error instanceof RuleFireError)) throw error;
        json(error.status, { message: error.message });
      }
      return;
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const awsJson = (status: number, value: unknown) => {
      json(status, value, 'application/x-amz-json-1.1');
    };
    if (req.method !== 'POST' || !target.startsWith('AWSEvents.')) {
      json(404, { message: `${req.method ?? ''} ${url.pathname} is not an EventBridge call` });
      return;
    }
    const action = target.slice('AWSEvents.'.length);
    if (action !== 'PutEvents') {
      awsJson(400, {
        __type: 'UnknownOperationException',
        message: `${action} is not supported by the offline runtime; rules and buses come from the templates`,
      });
      return;
    }
    let params: { Entries?: unknown };
    try {
      params = JSON.parse(body || '{}') as { Entries?: unknown };
    } catch {
      awsJson(400, { __type: 'SerializationException', message: 'the request body is not JSON' });
      return;
    }
    try {
      const entries = this.events.putEvents(params.Entries);
      awsJson(200, {
        FailedEntryCount: entries.filter((e) => 'ErrorCode' in e).length,
        Entries: entries,
      });
    } catch (error: unknown) {
      if (!(error instanceof PutEventsValidationError)) throw error;
      awsJson(400, { __type: 'ValidationException', message: error.message });
    }
  }
}
