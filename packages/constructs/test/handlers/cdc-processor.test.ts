import {
  CreateStreamCommand,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import kinesalite from 'kinesalite';
import type * as HandlerModule from '../../handlers/cdc-processor/handler.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

type Handler = typeof HandlerModule.handler;

const ENV = {
  CDC_SOURCE: 'dynamodb-stream',
  CDC_STREAM_NAME: 'customer-changes',
  CDC_SERVER_NAME: 'conflux',
  CDC_DB: '000000000000/us-east-1',
  CDC_TABLE: 'customers',
  CDC_KEY_ATTRIBUTES: 'customerId',
  CDC_TOMBSTONES: 'true',
  CDC_TRANSACTION_METADATA: 'false',
} as const;

/** Loads the handler module afresh with `env` as its environment. */
async function load(env: Record<string, string | undefined>): Promise<Handler> {
  vi.resetModules();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  return (await import('../../handlers/cdc-processor/handler.js')).handler;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the cdc-processor handler at load', () => {
  it.each(['CDC_SOURCE', 'CDC_STREAM_NAME', 'CDC_SERVER_NAME', 'CDC_DB', 'CDC_TABLE', 'CDC_KEY_ATTRIBUTES'])(
    'fails naming %s when it is missing',
    async (name) => {
      // GIVEN the environment without one required variable
      // WHEN / THEN loading fails with its name
      await expect(load({ ...ENV, [name]: undefined })).rejects.toThrow(name);
    },
  );

  it.each([
    ['CDC_SOURCE', 'sqs'],
    ['CDC_TOMBSTONES', 'yes'],
    ['CDC_TRANSACTION_METADATA', '1'],
  ])('fails naming %s when it is %s', async (name, value) => {
    // GIVEN a variable with a value outside its choices
    // WHEN / THEN loading fails naming it and the choices
    await expect(load({ ...ENV, [name]: value })).rejects.toThrow(new RegExp(`${name}.*must be one of`));
  });
});

describe('the cdc-processor handler', () => {
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0 });
  let endpoint = '';
  let client: KinesisClient;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    endpoint = `http://127.0.0.1:${address && typeof address === 'object' ? address.port : 0}`;
    client = new KinesisClient({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      requestHandler: new NodeHttpHandler(),
    });
    await client.send(new CreateStreamCommand({ StreamName: ENV.CDC_STREAM_NAME, ShardCount: 1 }));
  });
  afterAll(async () => {
    client.destroy();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  });

  it('puts a stream batch on the event stream configured by its environment', async () => {
    // GIVEN the handler loaded with its environment, its SDK pointed at kinesalite
    const handler = await load({ ...ENV, AWS_ENDPOINT_URL_KINESIS: endpoint });
    const event: DynamoDBStreamEvent = {
      Records: [
        {
          eventID: 'e-1',
          eventName: 'REMOVE',
          dynamodb: {
            ApproximateCreationDateTime: 1_700_000_000,
            Keys: { customerId: { S: 'c-1' } },
            OldImage: { customerId: { S: 'c-1' }, name: { S: 'Ann' } },
            SequenceNumber: '100',
            StreamViewType: 'NEW_AND_OLD_IMAGES',
          },
        },
      ],
    };

    // WHEN it handles a delete
    const response = await handler(event);

    // THEN the delete event and its tombstone are on the stream, keyed by table and key
    expect(response).toEqual({ batchItemFailures: [] });
    const { StreamDescription } = await client.send(
      new DescribeStreamCommand({ StreamName: ENV.CDC_STREAM_NAME }),
    );
    const { ShardIterator } = await client.send(
      new GetShardIteratorCommand({
        StreamName: ENV.CDC_STREAM_NAME,
        ShardId: StreamDescription?.Shards?.[0]?.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const { Records = [] } = await client.send(new GetRecordsCommand({ ShardIterator }));
    expect(Records.map((r) => r.PartitionKey)).toEqual([
      'customers:{"customerId":"c-1"}',
      'customers:{"customerId":"c-1"}',
    ]);
    const [deleted, tombstone] = Records.map((r) =>
      Buffer.from(r.Data ?? new Uint8Array(0)).toString('utf8'),
    );
    expect(JSON.parse(deleted ?? '{}')).toMatchObject({
      op: 'd',
      before: { customerId: 'c-1', name: 'Ann' },
      source: { name: 'conflux', db: ENV.CDC_DB, table: 'customers', sequence: '100'.padStart(40, '0') },
    });
    expect(tombstone).toBe('');
  });
});
