import {
  CreateStreamCommand,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  PutRecordsCommand,
  type PutRecordsCommandOutput,
  type PutRecordsRequestEntry,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-kinesis';
import type { InitializeMiddleware } from '@smithy/types';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import kinesalite from 'kinesalite';
import type { Server } from 'node:http';

/** A kinesalite on a free loopback port and a client of it (kinesalite speaks HTTP/1.1 only). */
export interface Kinesalite {
  readonly endpoint: string;
  readonly client: KinesisClient;
  readonly stop: () => Promise<void>;
}

export async function startKinesalite(): Promise<Kinesalite> {
  const server: Server = kinesalite({
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit: 1000,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  const endpoint = `http://127.0.0.1:${address && typeof address === 'object' ? address.port : 0}`;
  const client = kinesisClient(endpoint);
  return {
    endpoint,
    client,
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}

export function kinesisClient(endpoint: string): KinesisClient {
  return new KinesisClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: new NodeHttpHandler(),
  });
}

let streams = 0;

/** Creates a uniquely named stream of `shards` shards and answers its name once it is active. */
export async function createStream(client: KinesisClient, shards = 4): Promise<string> {
  streams += 1;
  const name = `changes-${process.pid}-${streams}`;
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  for (;;) {
    const { StreamDescription } = await client.send(new DescribeStreamCommand({ StreamName: name }));
    if (StreamDescription?.StreamStatus === 'ACTIVE') return name;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A record read back: its partition key, its data as text, and the shard it is on. */
export interface StoredRecord {
  readonly partitionKey: string;
  readonly data: string;
  readonly shardId: string;
}

/** Every record of a stream, shard after shard, each shard's in sequence order. */
export async function readAll(client: KinesisClient, streamName: string): Promise<StoredRecord[]> {
  const { StreamDescription } = await client.send(new DescribeStreamCommand({ StreamName: streamName }));
  const out: StoredRecord[] = [];
  for (const shard of StreamDescription?.Shards ?? []) {
    const shardId = shard.ShardId ?? '';
    let { ShardIterator: iterator } = await client.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    while (iterator) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
      for (const record of page.Records ?? []) {
        out.push({
          partitionKey: record.PartitionKey ?? '',
          data: Buffer.from(record.Data ?? new Uint8Array(0)).toString('utf8'),
          shardId,
        });
      }
      if ((page.Records ?? []).length === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return out;
}

/** What a failing PutRecords entry reports. */
export type InjectedFailure = 'ProvisionedThroughputExceededException' | 'InternalFailure';

/**
 * Makes `client` fail some PutRecords entries, as Kinesis does under load: `decide` sees each entry (and
 * how many times that partition key's entries were offered before) and answers a failure or undefined. Failed
 * entries are not sent; the response reports them in their positions, as Kinesis's does. `throwCall` makes
 * a whole call fail instead.
 */
export function injectFailures(
  client: KinesisClient,
  decide: (entry: PutRecordsRequestEntry, offered: number) => InjectedFailure | undefined,
  throwCall: (call: number) => boolean = () => false,
): { readonly calls: () => number } {
  const offeredByKey = new Map<string, number>();
  let calls = 0;
  const middleware: InitializeMiddleware<ServiceInputTypes, ServiceOutputTypes> =
    (next, context) => async (args) => {
      if (context.commandName !== PutRecordsCommand.name) return next(args);
      calls += 1;
      if (throwCall(calls)) {
        const error = new Error('Rate exceeded for stream');
        error.name = 'ProvisionedThroughputExceededException';
        throw error;
      }
      const input = args.input as { Records: PutRecordsRequestEntry[] };
      const decisions = input.Records.map((entry) => {
        const key = entry.PartitionKey ?? '';
        const offered = offeredByKey.get(key) ?? 0;
        offeredByKey.set(key, offered + 1);
        return decide(entry, offered);
      });
      const sent = input.Records.filter((_, i) => decisions[i] === undefined);
      // Every entry failing sends nothing: the response is made here, with no HTTP response behind it.
      const kept =
        sent.length > 0
          ? ((await next({ ...args, input: { ...input, Records: sent } })) as {
              output: PutRecordsCommandOutput;
              response: unknown;
            })
          : {
              output: { Records: [], FailedRecordCount: 0, $metadata: {} } as PutRecordsCommandOutput,
              response: {},
            };
      const results = [...(kept.output.Records ?? [])];
      const Records = decisions.map((failure) =>
        failure === undefined ? (results.shift() ?? {}) : { ErrorCode: failure, ErrorMessage: 'injected' },
      );
      return {
        ...kept,
        output: {
          ...kept.output,
          Records,
          FailedRecordCount:
            (kept.output.FailedRecordCount ?? 0) + decisions.filter((d) => d !== undefined).length,
        } as PutRecordsCommandOutput,
      };
    };
  client.middlewareStack.add(middleware, { step: 'initialize', name: 'injectFailures' });
  return { calls: () => calls };
}
