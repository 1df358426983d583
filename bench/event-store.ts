/**
 * The event store against DynamoDB Local, each figure with a baseline from the same run:
 *  1. append throughput (one-event transactional appends) against plain PutItem of the same items;
 *  2. load throughput of a 100-event stream;
 *  3. load time of a 10,000-event stream with snapshots (every 100) against without (ratio);
 *  4. projection catch-up rate through the accounts projector (events/s), and a rebuild of 10,000 events.
 *
 *   npm run bench:event-store
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient, type KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord } from 'aws-lambda';
import { AccountAggregate } from '../app/functions/accounts/domain';
import { accountsProjection } from '../app/functions/accounts/projection';
import { createEventStore, latest, type NewEvent, type StoredEvent } from '@conflux/handler-kit/event-store';
import { startDynamoDbLocal } from '@conflux/local';
import { rebuildProjection } from '../app/ops/rebuild-projection';

const ddb = await startDynamoDbLocal();
process.env.AWS_ENDPOINT_URL_DYNAMODB = ddb.endpoint;
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'local';
process.env.AWS_SECRET_ACCESS_KEY = 'local';
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_TRACE_ENABLED = 'false';
const client = new DynamoDBClient({ endpoint: ddb.endpoint });
const documents = DynamoDBDocumentClient.from(client);

async function table(name: string, keys: [string, 'S' | 'N'][]): Promise<string> {
  const TableName = `${name}-${randomUUID().slice(0, 6)}`;
  await client.send(
    new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: keys.map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
      KeySchema: keys.map(([AttributeName], i): KeySchemaElement => ({
        AttributeName,
        KeyType: i === 0 ? 'HASH' : 'RANGE',
      })),
    }),
  );
  return TableName;
}
const rate = (count: number, ms: number) => `${((count / ms) * 1000).toFixed(0)}/s`;
const metadata = { correlationId: 'bench' };
const opened: NewEvent = {
  type: 'AccountOpened',
  schemaVersion: 1,
  data: { owner: 'bench', currency: 'EUR' },
  metadata,
};
const deposit = (amountMinor: number): NewEvent => ({
  type: 'MoneyDeposited',
  schemaVersion: 2,
  data: { amountMinor },
  metadata,
});

try {
  const events = await table('events', [
    ['streamId', 'S'],
    ['version', 'N'],
  ]);
  const snapshots = await table('snapshots', [
    ['streamId', 'S'],
    ['version', 'N'],
  ]);
  const withSnapshots = createEventStore({
    documents,
    tableName: events,
    snapshotTableName: snapshots,
    snapshotEvery: 100,
  });
  const without = createEventStore({ documents, tableName: events });

  // 1. Appends, 8 streams written concurrently, 250 one-event appends each
  const streams = Array.from({ length: 8 }, () => `account-${randomUUID()}`);
  let t0 = performance.now();
  await Promise.all(
    streams.map(async (streamId) => {
      await withSnapshots.append(streamId, 'no-stream', [opened]);
      for (let v = 1; v < 250; v += 1) await withSnapshots.append(streamId, v, [deposit(1)]);
    }),
  );
  const appendMs = performance.now() - t0;
  const plainTable = await table('plain', [
    ['streamId', 'S'],
    ['version', 'N'],
  ]);
  t0 = performance.now();
  await Promise.all(
    streams.map(async (streamId) => {
      for (let v = 1; v <= 250; v += 1) {
        await documents.send(
          new PutCommand({
            TableName: plainTable,
            Item: { streamId, version: v, type: 'MoneyDeposited', data: { amountMinor: 1 } },
          }),
        );
      }
    }),
  );
  const putMs = performance.now() - t0;
  console.log(
    `append: ${rate(2000, appendMs)} events (8 streams × 250 one-event transactional appends, concurrent)`,
  );
  console.log(
    `  baseline plain PutItem of the same items: ${rate(2000, putMs)}; ratio ${(appendMs / putMs).toFixed(2)}× the time`,
  );

  // 2. Loads of a 250-event stream (no snapshot below 100-multiples used: the store snapshots only via snapshotIfDue)
  t0 = performance.now();
  for (let i = 0; i < 40; i += 1) await without.load(streams[i % streams.length] ?? '', AccountAggregate);
  const loadMs = performance.now() - t0;
  console.log(
    `load: ${rate(40, loadMs)} loads of a 250-event stream (${(((40 * 250) / loadMs) * 1000).toFixed(0)} events/s read and folded)`,
  );

  // 3. A 10,000-event stream, appended in transactions of 99, with a snapshot every 100
  const long = `account-${randomUUID()}`;
  let state = AccountAggregate.initial;
  let version = 0;
  let maxOccurredAt = '';
  t0 = performance.now();
  while (version < 10_000) {
    const batch =
      version === 0
        ? [opened, ...Array.from({ length: 98 }, () => deposit(1))]
        : Array.from({ length: Math.min(99, 10_000 - version) }, () => deposit(1));
    const stored = await withSnapshots.append(long, version === 0 ? 'no-stream' : version, batch);
    state = stored.reduce(AccountAggregate.evolve, state);
    maxOccurredAt = latest([maxOccurredAt, ...stored.map((e) => e.occurredAt)]);
    const before = version;
    version += stored.length;
    await withSnapshots.snapshotIfDue(long, AccountAggregate, before, { state, version, maxOccurredAt });
  }
  console.log(
    `\n10,000-event stream written in ${(performance.now() - t0).toFixed(0)} ms (${rate(10_000, performance.now() - t0)} events in 99-event transactions)`,
  );
  const time = async (store: typeof without) => {
    const samples: number[] = [];
    let last;
    for (let i = 0; i < 5; i += 1) {
      const s = performance.now();
      last = await store.load(long, AccountAggregate);
      samples.push(performance.now() - s);
    }
    return { ms: samples.sort((a, b) => a - b)[2] ?? NaN, loaded: last };
  };
  const fast = await time(withSnapshots);
  const slow = await time(without);
  console.log(
    `  load with snapshots: ${fast.ms.toFixed(1)} ms (${fast.loaded?.eventsRead ?? 0} events after the snapshot)`,
  );
  console.log(
    `  baseline without snapshots: ${slow.ms.toFixed(1)} ms (${slow.loaded?.eventsRead ?? 0} events); ratio ${(slow.ms / fast.ms).toFixed(0)}×`,
  );
  if (fast.loaded?.state.balanceMinor !== slow.loaded?.state.balanceMinor)
    throw new Error('snapshots changed the answer');

  // 4. Projection catch-up through the projector, and a rebuild
  const control = await table('projections', [['projection', 'S']]);
  const viewA = await table('view-a', [['accountId', 'S']]);
  const viewB = await table('view-b', [['accountId', 'S']]);
  process.env.PROJECTIONS = JSON.stringify({ accounts: { control, tables: { a: viewA, b: viewB } } });
  const { handler } = await import('../app/functions/accounts/projector.handler');
  const projected = `account-${randomUUID()}`;
  const catchUp: StoredEvent[] = [];
  for (let s = 0; s < 100; s += 1) {
    const streamId = s === 0 ? projected : `account-${randomUUID()}`;
    const stored = await withSnapshots.append(streamId, 'no-stream', [
      opened,
      ...Array.from({ length: 98 }, () => deposit(1)),
    ]);
    catchUp.push(...stored, ...(await withSnapshots.append(streamId, 99, [deposit(1)])));
  }
  const records = catchUp.map((e, i): DynamoDBRecord => ({
    eventName: 'INSERT',
    eventSourceARN: `arn:aws:dynamodb:us-east-1:000000000000:table/${events}/stream/bench`,
    dynamodb: {
      NewImage: marshall(e, { removeUndefinedValues: true }) as never,
      SequenceNumber: String(i + 1),
    },
  }));
  const context = { functionName: 'bench', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
  t0 = performance.now();
  for (let i = 0; i < records.length; i += 100)
    await handler({ Records: records.slice(i, i + 100) }, context);
  const projectMs = performance.now() - t0;
  console.log(
    `\nprojection catch-up: ${rate(records.length, projectMs)} events (${records.length} events of 100 streams, batches of 100, one projector)`,
  );

  t0 = performance.now();
  const report = await rebuildProjection({
    documents,
    controlTable: control,
    projection: 'accounts',
    spec: accountsProjection as never,
    settleMs: 0,
  });
  console.log(
    `rebuild: ${report.events} account events into ${report.rows} rows in ${report.ms} ms (${rate(report.events, report.ms)}; the store holds ${report.events} account events in all)`,
  );
} finally {
  await ddb.stop();
}
