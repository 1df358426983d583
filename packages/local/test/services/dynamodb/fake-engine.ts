import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbRouter, type DynamoDbRouterOptions } from '../../../src/services/dynamodb/router.js';
import type { GlobalTableRegistration } from '../../../src/services/dynamodb/replication-types.js';

/** One request the fake engine received. */
export interface FakeCall {
  readonly region: string;
  readonly operation: string;
  /** A call of the router's own (read-back, delivery), not a caller's request passed on. */
  readonly own: boolean;
  readonly body: Record<string, unknown>;
}

/**
 * What a hook makes of a request: `fail` (500), `hang` (headers and a first chunk, never the end), `die`
 * (headers and half a body, then the socket is destroyed), a number (a delay in ms before it is served), or
 * undefined (served).
 */
export type FakeOutcome = 'fail' | 'hang' | 'die' | number | undefined;

/**
 * A stand-in for DynamoDB Local without `-sharedDb`: a database per Region (from the SigV4 credential),
 * items keyed by their `id`, PutItem, GetItem, DeleteItem and BatchWriteItem; every other operation answers
 * `{}`. A hook injects faults.
 */
export class FakeEngine {
  public readonly calls: FakeCall[] = [];
  public hook: (call: FakeCall) => FakeOutcome = () => undefined;
  private readonly data = new Map<string, Map<string, Record<string, unknown>>>();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    public readonly url: string,
  ) {}

  public static async start(): Promise<FakeEngine> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const engine = new FakeEngine(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('connection', (socket) => {
      engine.sockets.add(socket);
      socket.on('close', () => engine.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void engine.serve(req, res);
    });
    return engine;
  }

  /** The item `id` in `region`'s table. */
  public item(region: string, table: string, id: string): Record<string, unknown> | undefined {
    return this.data.get(`${region}\u0000${table}`)?.get(id);
  }

  public async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
  }

  private table(region: string, name: unknown): Map<string, Record<string, unknown>> {
    const at = `${region}\u0000${String(name)}`;
    const table = this.data.get(at) ?? new Map<string, Record<string, unknown>>();
    this.data.set(at, table);
    return table;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString();
    const region = /Credential=[^/]*\/[^/]+\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const operation = String(req.headers['x-amz-target'] ?? '').replace('DynamoDB_20120810.', '');
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text || '{}') as Record<string, unknown>;
    } catch {
      // answered as it is
    }
    const call: FakeCall = { region, operation, own: req.headers['x-amz-date'] === '20200101T000000Z', body };
    this.calls.push(call);
    const outcome = this.hook(call);
    if (typeof outcome === 'number') await new Promise((resolve) => setTimeout(resolve, outcome));
    if (outcome === 'fail') {
      answer(res, 500, { __type: 'com.amazonaws.dynamodb.v20120810#InternalFailure', message: 'injected' });
      return;
    }
    if (outcome === 'hang' || outcome === 'die') {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'content-length': '100000' });
      res.write(`{"pad":"${'x'.repeat(1000)}`);
      if (outcome === 'die') setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    const id = (key: unknown) => String((key as { id?: { S?: string } } | undefined)?.id?.S);
    switch (operation) {
      case 'PutItem':
        this.table(region, body.TableName).set(id(body.Item), body.Item as Record<string, unknown>);
        answer(res, 200, {});
        return;
      case 'GetItem': {
        const item = this.table(region, body.TableName).get(id(body.Key));
        answer(res, 200, item ? { Item: item } : {});
        return;
      }
      case 'DeleteItem':
        this.table(region, body.TableName).delete(id(body.Key));
        answer(res, 200, {});
        return;
      default:
        answer(res, 200, {});
    }
  }
}

function answer(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** A router in front of a fake engine, with clients signed for any Region. */
export interface FakeSetup {
  readonly engine: FakeEngine;
  readonly router: DynamoDbRouter;
  client(region: string): DynamoDBClient;
  close(): Promise<void>;
}

export async function fakeSetup(
  tables: readonly Omit<GlobalTableRegistration, 'keySchema'>[],
  options: Partial<DynamoDbRouterOptions> = {},
): Promise<FakeSetup> {
  const engine = await FakeEngine.start();
  const router = await DynamoDbRouter.start(engine.url, {
    homeRegion: 'us-east-1',
    lagMs: 0,
    roundTripMs: 0,
    ...options,
  });
  for (const table of tables) {
    router.register({ ...table, keySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] });
  }
  const clients: DynamoDBClient[] = [];
  return {
    engine,
    router,
    client(region) {
      const c = new DynamoDBClient({
        region,
        endpoint: router.url,
        credentials: { accessKeyId: `AK-${region}`, secretAccessKey: 'x' },
        maxAttempts: 1,
      });
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.destroy();
      await router.close();
      await engine.close();
    },
  };
}
