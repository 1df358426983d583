import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { buildApp } from 'fauxqs';
import kinesalite from 'kinesalite';
import { startDynamoDbLocal } from '../services/dynamodb/engine.js';
import { DynamoDbRouter } from '../services/dynamodb/router.js';
import { restoreObjects, saveObjects } from '../services/s3/snapshot.js';
import { restoreQueues, snapshotQueues } from '../services/sqs/snapshot.js';
import { attachPersistentState, PersistentState } from './persistence.js';
import type { ProcessExit } from './supervisor.js';

/** The local engines and SDK clients pointed at them. */
export interface Engines {
  /** Each engine's endpoint; `dynamodb` is the router's, in front of DynamoDB Local. */
  readonly endpoints: Readonly<Record<'dynamodb' | 'sqs' | 'sns' | 's3' | 'kinesis', string>>;
  /** A client of the router, signed for the runtime's Region. */
  readonly dynamodb: DynamoDBClient;
  readonly dynamodbStreams: DynamoDBStreamsClient;
  /**
   * The router in front of DynamoDB Local: one table set per Region whatever the caller's access key, the
   * replication of registered global tables, and the Region controls (stop, partition, settle).
   */
  readonly dynamodbRouter: DynamoDbRouter;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly kinesis: KinesisClient;
  readonly s3: S3Client;
  /** fauxqs's stores, for services that watch them. */
  readonly fauxqs: FauxqsEngine;
  /** Process id of DynamoDB Local's Java process, to clean up after a crash. */
  readonly javaPid?: number;
  /** Settles when DynamoDB Local's Java process exits, stopped or not. */
  readonly javaExited: Promise<ProcessExit>;
  /** The state folder the engines keep their state in, when started with `persistDir`. */
  readonly persistence?: PersistentState;
  /**
   * Puts back what the engines cannot keep themselves (SQS messages, S3 objects), saved by the last
   * {@link Engines.stop}: once the application's queues and buckets exist, before anything reads them.
   * Does nothing without `persistDir`. Returns one line per thing dropped because the application no longer
   * has it.
   */
  restore(): readonly string[];
  /** Stops every engine; with `persistDir`, saves the SQS messages and S3 objects first. */
  stop(): Promise<void>;
}

/** Dummy credentials: the engines accept any, and the SDK needs some. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** fauxqs's engine as the runtime starts it, with its stores for services that watch them. */
export interface FauxqsEngine {
  readonly address: string;
  /** fauxqs's S3 store (its `spy` reports uploads and deletions when one is set). */
  readonly s3Store: unknown;
  /** fauxqs's SQS store: its queues and their messages. */
  readonly sqsStore: unknown;
  stop(): Promise<void>;
}

type FauxqsStores = NonNullable<NonNullable<Parameters<typeof buildApp>[0]>['stores']>;

/** One of fauxqs's store classes, which its package does not export, from its own folder. */
async function fauxqsStore(file: string, name: string): Promise<new () => unknown> {
  const module = (await import(new URL(file, import.meta.resolve('fauxqs')).href)) as Record<
    string,
    (new () => unknown) | undefined
  >;
  const store = module[name];
  if (!store) throw new Error(`fauxqs has no ${name} in ${file}: check the fauxqs version`);
  return store;
}

/**
 * Starts fauxqs on a free loopback port with queue URLs on that same address
 * (`http://127.0.0.1:<port>/000000000000/<name>`). fauxqs's own start names them `sqs.<region>.localhost`,
 * a host that does not resolve here: the SDK sends to the queue URL's host by default
 * (`useQueueUrlAsEndpoint`), so a handler with only `AWS_ENDPOINT_URL_SQS` set failed with `ENOTFOUND`.
 */
export async function startFauxqs(region: string): Promise<FauxqsEngine> {
  const [SqsStore, SnsStore, S3Store] = await Promise.all([
    fauxqsStore('./sqs/sqsStore.js', 'SqsStore'),
    fauxqsStore('./sns/snsStore.js', 'SnsStore'),
    fauxqsStore('./s3/s3Store.js', 'S3Store'),
  ]);
  const stores = {
    sqsStore: new SqsStore(),
    snsStore: new SnsStore(),
    s3Store: new S3Store(),
  } as FauxqsStores;
  // An empty host makes the store name each queue URL after the host the client called.
  (stores.sqsStore as unknown as { host: string }).host = '';
  const app = buildApp({ logger: false, defaultRegion: region, stores });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    address,
    s3Store: stores.s3Store,
    sqsStore: stores.sqsStore,
    stop: async () => {
      await app.close();
    },
  };
}

/** Options of {@link startEngines}. */
export interface EngineOptions {
  /** Delay before an MREC global table's write reaches its other replicas. @default 500 */
  readonly replicationLagMs?: number;
  /** Round trip an MRSC global table's write waits for before it is acknowledged. @default 30 */
  readonly replicationRoundTripMs?: number;
  /** Folder the engines keep their state in across runs; see `RuntimeOptions.persistDir`. @default in memory */
  readonly persistDir?: string;
}

/**
 * Starts DynamoDB Local (one database per Region, behind the {@link DynamoDbRouter}), fauxqs (SQS, SNS,
 * S3) and kinesalite (Kinesis) on free loopback ports, side by side. When one cannot start, those that did
 * are stopped and its error is thrown. With `persistDir`, DynamoDB Local and kinesalite keep their data in
 * it, and fauxqs's messages and objects are saved there at stop ({@link Engines.restore} puts them back).
 */
export async function startEngines(region: string, options: EngineOptions = {}): Promise<Engines> {
  const persistence = options.persistDir === undefined ? undefined : new PersistentState(options.persistDir);
  const kinesisServer = kinesalite({
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    ...(persistence ? { path: persistence.kinesisDir } : {}),
  });
  const closeKinesis = () =>
    new Promise<void>((resolve) => {
      kinesisServer.close(() => {
        resolve();
      });
    });
  const [dynamoStart, fauxqsStart, kinesisStart] = await Promise.allSettled([
    startDynamoDbLocal({ sharedDb: false, dbPath: persistence?.dynamodbDir }),
    startFauxqs(region),
    new Promise<void>((resolve, reject) => {
      kinesisServer.once('error', reject);
      kinesisServer.listen(0, '127.0.0.1', resolve);
    }),
  ]);
  if (
    dynamoStart.status === 'rejected' ||
    fauxqsStart.status === 'rejected' ||
    kinesisStart.status === 'rejected'
  ) {
    await Promise.allSettled([
      dynamoStart.status === 'fulfilled' ? dynamoStart.value.stop() : undefined,
      fauxqsStart.status === 'fulfilled' ? fauxqsStart.value.stop() : undefined,
      kinesisStart.status === 'fulfilled' ? closeKinesis() : undefined,
    ]);
    const failed = [dynamoStart, fauxqsStart, kinesisStart].find((s) => s.status === 'rejected');
    throw failed?.reason;
  }
  const dynamo = dynamoStart.value;
  const fauxqs = fauxqsStart.value;
  let router: DynamoDbRouter;
  try {
    router = await DynamoDbRouter.start(dynamo.endpoint, {
      homeRegion: region,
      lagMs: options.replicationLagMs ?? 500,
      roundTripMs: options.replicationRoundTripMs ?? 30,
    });
  } catch (error: unknown) {
    await Promise.allSettled([dynamo.stop(), fauxqs.stop(), closeKinesis()]);
    throw error;
  }
  const kinesisAddress = kinesisServer.address();
  const kinesisEndpoint = `http://127.0.0.1:${kinesisAddress && typeof kinesisAddress === 'object' ? kinesisAddress.port : 0}`;
  const clientConfig = { region, credentials: LOCAL_CREDENTIALS };
  const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: router.url });
  const dynamodbStreams = new DynamoDBStreamsClient({ ...clientConfig, endpoint: router.url });
  const sqs = new SQSClient({ ...clientConfig, endpoint: fauxqs.address });
  const sns = new SNSClient({ ...clientConfig, endpoint: fauxqs.address });
  // Path-style addressing: bucket names as subdomains of 127.0.0.1 do not resolve.
  const s3 = new S3Client({ ...clientConfig, endpoint: fauxqs.address, forcePathStyle: true });
  // kinesalite speaks HTTP/1.1 only.
  const kinesis = new KinesisClient({
    ...clientConfig,
    endpoint: kinesisEndpoint,
    requestHandler: new NodeHttpHandler(),
  });
  let restored = false;
  if (persistence)
    for (const client of [dynamodb, kinesis, sqs, s3]) attachPersistentState(client, persistence);
  return {
    endpoints: {
      dynamodb: router.url,
      sqs: fauxqs.address,
      sns: fauxqs.address,
      s3: fauxqs.address,
      kinesis: kinesisEndpoint,
    },
    dynamodb,
    dynamodbStreams,
    dynamodbRouter: router,
    sqs,
    sns,
    kinesis,
    s3,
    fauxqs,
    javaPid: dynamo.pid,
    javaExited: dynamo.exited,
    persistence,
    restore: () => {
      if (!persistence) return [];
      restored = true;
      const queues = restoreQueues(fauxqs.sqsStore, persistence.takeQueues());
      const objects = restoreObjects(fauxqs.s3Store, persistence.s3Dir);
      return [
        ...queues.dropped.map(
          (q) => `[persist] queue ${q} is no longer in the application: its saved messages are dropped`,
        ),
        ...objects.dropped.map(
          (b) => `[persist] bucket ${b} is no longer in the application: its saved objects are dropped`,
        ),
      ];
    },
    stop: async () => {
      // Saved before anything stops (the services have stopped reading by now), and only after a restore:
      // a start that failed before it would overwrite the last save with empty queues.
      if (persistence && restored) {
        persistence.saveQueues(snapshotQueues(fauxqs.sqsStore));
        saveObjects(fauxqs.s3Store, persistence.s3Dir);
      }
      dynamodb.destroy();
      dynamodbStreams.destroy();
      sqs.destroy();
      sns.destroy();
      kinesis.destroy();
      s3.destroy();
      await router.close();
      await Promise.allSettled([dynamo.stop(), fauxqs.stop(), closeKinesis()]);
    },
  };
}
