/**
 * The event store against DynamoDB Local, each figure with a baseline measured in the same run, subject
 * and baseline interleaved (A B A B …):
 *  1. append throughput: one-event transactional appends to 8 streams written concurrently, against plain
 *     PutItem of the same items (`event-store.append.events-per-s`);
 *  2. load throughput of a 250-event stream (read, upcast and folded), against a plain paginated Query of
 *     the same items (`event-store.load.events-per-s`);
 *  3. a 10,000-event stream appended in 99-event transactions with a snapshot every 100, against
 *     BatchWriteItem of the same items (`event-store.append-batch.events-per-s`); then its load time with
 *     snapshots against without (`event-store.load-10k.ms`: the ratio is with ÷ without);
 *  4. projection catch-up through the accounts projector (`createProjector('accounts', accountsProjection)`,
 *     which is what app/functions/accounts/projector.handler.ts exports), against the write floor: one
 *     plain PutItem per event of the row folded in memory (`event-store.projection.events-per-s`); and a
 *     rebuild of the projection from the whole store, against one consistent Scan of the events table
 *     (`event-store.rebuild.events-per-s`; the rebuild scans it twice and writes the rows).
 *
 *   npm run bench:event-store
 *   EVENT_STORE_RUNS=5 EVENT_STORE_APPENDS=40 EVENT_STORE_LONG=10000 EVENT_STORE_PROJECTED_STREAMS=10 npx tsx bench/event-store.ts
 */
import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord } from 'aws-lambda';
import { AccountAggregate } from '../app/functions/accounts/domain';
import { accountsProjection } from '../app/functions/accounts/projection';
import { createEventStore, latest, upcast, type NewEvent } from '@conflux/handler-kit/event-store';
import { startDynamoDbLocal } from '@conflux/local';
import { figure, formatFigure, stats, type Benchmark, type Figure } from './support/figures';
import { isMain } from './support/main';
import { dynamoDbPort } from './support/dynamodb-port';

const progress = (line: string) => process.stderr.write(`[event-store] ${line}\n`);
const rate = (count: number, ms: number) => (count / ms) * 1000;

function settings(env = process.env) {
  const positive = (name: string, fallback: number) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
    return value;
  };
  return {
    runs: positive('EVENT_STORE_RUNS', 5),
    /** One-event appends per stream and run (8 streams). */
    appends: positive('EVENT_STORE_APPENDS', 40),
    long: positive('EVENT_STORE_LONG', 10_000),
    /** Streams of 100 events each that the projector catches up on, per run. */
    projectedStreams: positive('EVENT_STORE_PROJECTED_STREAMS', 10),
  };
}

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

async function run(): Promise<Figure[]> {
  const s = settings();
  const ddb = await startDynamoDbLocal({ port: await dynamoDbPort() });
  const client = new DynamoDBClient({
    endpoint: ddb.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_TRACE_ENABLED: 'false',
    });
    // After the environment: the kit's logger, metrics and clients read it when its modules load.
    const { createProjector, storedEventOf } = await import('@conflux/handler-kit');
    const { rebuildProjection } = await import('../app/ops/rebuild-projection');
    const documents = DynamoDBDocumentClient.from(client);
    const figures: Figure[] = [];

    const table = async (name: string, keys: [string, 'S' | 'N'][]): Promise<string> => {
      const TableName = `${name}-${randomUUID().slice(0, 6)}`;
      await client.send(
        new CreateTableCommand({
          TableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: keys.map(([AttributeName, AttributeType]) => ({
            AttributeName,
            AttributeType,
          })),
          KeySchema: keys.map(([AttributeName], i): KeySchemaElement => ({
            AttributeName,
            KeyType: i === 0 ? 'HASH' : 'RANGE',
          })),
        }),
      );
      return TableName;
    };
    const streamKeys: [string, 'S' | 'N'][] = [
      ['streamId', 'S'],
      ['version', 'N'],
    ];
    const events = await table('events', streamKeys);
    const snapshots = await table('snapshots', streamKeys);
    const plainTable = await table('plain', streamKeys);
    const withSnapshots = createEventStore({
      documents,
      tableName: events,
      snapshotTableName: snapshots,
      snapshotEvery: 100,
    });
    const without = createEventStore({ documents, tableName: events });

    // 1. Appends: 8 streams written concurrently, one-event appends; against PutItem of the same items.
    {
      const perRun = 8 * s.appends;
      const appendRun = async () => {
        const streams = Array.from({ length: 8 }, () => `account-${randomUUID()}`);
        const t0 = performance.now();
        await Promise.all(
          streams.map(async (streamId) => {
            await withSnapshots.append(streamId, 'no-stream', [opened]);
            for (let v = 1; v < s.appends; v += 1) await withSnapshots.append(streamId, v, [deposit(1)]);
          }),
        );
        return performance.now() - t0;
      };
      const putRun = async () => {
        const streams = Array.from({ length: 8 }, () => `account-${randomUUID()}`);
        const t0 = performance.now();
        await Promise.all(
          streams.map(async (streamId) => {
            for (let v = 1; v <= s.appends; v += 1) {
              await documents.send(
                new PutCommand({
                  TableName: plainTable,
                  Item: { streamId, version: v, type: 'MoneyDeposited', data: { amountMinor: 1 } },
                }),
              );
            }
          }),
        );
        return performance.now() - t0;
      };
      await appendRun();
      await putRun();
      const appends: number[] = [];
      const puts: number[] = [];
      for (let r = 0; r < s.runs; r += 1) {
        appends.push(rate(perRun, await appendRun()));
        puts.push(rate(perRun, await putRun()));
      }
      figures.push(
        figure({
          id: 'event-store.append.events-per-s',
          group: 'event-store',
          title: 'one-event transactional appends, 8 streams concurrently',
          unit: 'events/s',
          better: 'higher',
          subject: stats(appends),
          baseline: { label: 'plain PutItem of the same items', stats: stats(puts) },
          note: `A run: 8 streams × ${s.appends} one-event appends (a TransactWriteItems each: the Put and, after the first, a ConditionCheck of the previous version), concurrently; the baseline writes the same items with unconditional PutItem.`,
        }),
      );
      progress('appends done');
    }

    // 2. Loads of a 250-event stream, against a plain Query of its items.
    {
      const streamId = `account-${randomUUID()}`;
      await withSnapshots.append(streamId, 'no-stream', [
        opened,
        ...Array.from({ length: 98 }, () => deposit(1)),
      ]);
      await withSnapshots.append(
        streamId,
        99,
        Array.from({ length: 99 }, () => deposit(1)),
      );
      await withSnapshots.append(
        streamId,
        198,
        Array.from({ length: 52 }, () => deposit(1)),
      );
      const query = async () => {
        let items = 0;
        let ExclusiveStartKey: Record<string, unknown> | undefined;
        do {
          const page = await documents.send(
            new QueryCommand({
              TableName: events,
              KeyConditionExpression: 'streamId = :s',
              ExpressionAttributeValues: { ':s': streamId },
              ConsistentRead: true,
              ExclusiveStartKey,
            }),
          );
          items += page.Items?.length ?? 0;
          ExclusiveStartKey = page.LastEvaluatedKey;
        } while (ExclusiveStartKey);
        return items;
      };
      const loads: number[] = [];
      const queries: number[] = [];
      const timeLoad = async () => {
        const t0 = performance.now();
        const loaded = await without.load(streamId, AccountAggregate);
        return { ms: performance.now() - t0, events: loaded.eventsRead };
      };
      const timeQuery = async () => {
        const t0 = performance.now();
        const events = await query();
        return { ms: performance.now() - t0, events };
      };
      for (let i = -2; i < 20; i += 1) {
        // A B, then B A: neither always runs first.
        let load, plain;
        if (i % 2 === 0) {
          load = await timeLoad();
          plain = await timeQuery();
        } else {
          plain = await timeQuery();
          load = await timeLoad();
        }
        if (load.events !== 250 || plain.events !== 250)
          throw new Error(`expected 250 events, loaded ${load.events} and queried ${plain.events}`);
        if (i < 0) continue; // warm-up
        loads.push(rate(250, load.ms));
        queries.push(rate(250, plain.ms));
      }
      figures.push(
        figure({
          id: 'event-store.load.events-per-s',
          group: 'event-store',
          title: 'load of a 250-event stream (read, upcast, folded)',
          unit: 'events/s',
          better: 'higher',
          subject: stats(loads),
          baseline: { label: 'plain Query of the same items', stats: stats(queries) },
          note: 'A sample is one load (no snapshot store) and one paginated consistent Query of the same stream, interleaved A B, B A.',
        }),
      );
      progress('loads done');
    }

    // 3. A long stream appended in transactions of 99 with a snapshot every 100, against BatchWriteItem of
    // the same items; then its load with snapshots against without.
    {
      const long = `account-${randomUUID()}`;
      const plainLong = `account-${randomUUID()}`;
      let state = AccountAggregate.initial;
      let version = 0;
      let maxOccurredAt = '';
      const appended: number[] = [];
      const written: number[] = [];
      while (version < s.long) {
        const batch =
          version === 0
            ? [opened, ...Array.from({ length: Math.min(98, s.long - 1) }, () => deposit(1))]
            : Array.from({ length: Math.min(99, s.long - version) }, () => deposit(1));
        let t0 = performance.now();
        const stored = await withSnapshots.append(long, version === 0 ? 'no-stream' : version, batch);
        state = stored.reduce(AccountAggregate.evolve, state);
        maxOccurredAt = latest([maxOccurredAt, ...stored.map((e) => e.occurredAt)]);
        const before = version;
        version += stored.length;
        await withSnapshots.snapshotIfDue(long, AccountAggregate, before, { state, version, maxOccurredAt });
        appended.push(rate(stored.length, performance.now() - t0));

        t0 = performance.now();
        for (let i = 0; i < stored.length; i += 25) {
          let pending: Record<string, unknown>[] = stored
            .slice(i, i + 25)
            .map((e) => ({ PutRequest: { Item: { ...e, streamId: plainLong } } }));
          while (pending.length > 0) {
            const { UnprocessedItems } = await documents.send(
              new BatchWriteCommand({ RequestItems: { [plainTable]: pending } }),
            );
            pending = UnprocessedItems?.[plainTable] ?? [];
          }
        }
        written.push(rate(stored.length, performance.now() - t0));
      }
      figures.push(
        figure({
          id: 'event-store.append-batch.events-per-s',
          group: 'event-store',
          title: `a ${s.long}-event stream appended in 99-event transactions, snapshot every 100`,
          unit: 'events/s',
          better: 'higher',
          subject: stats(appended),
          baseline: { label: 'BatchWriteItem of the same items', stats: stats(written) },
          note: 'A sample is one append of up to 99 events (with snapshotIfDue) and, interleaved, the same items in BatchWriteItem calls of 25.',
        }),
      );

      const fast: number[] = [];
      const slow: number[] = [];
      for (let i = -1; i < s.runs; i += 1) {
        let t0 = performance.now();
        const a = await withSnapshots.load(long, AccountAggregate);
        const fastMs = performance.now() - t0;
        t0 = performance.now();
        const b = await without.load(long, AccountAggregate);
        const slowMs = performance.now() - t0;
        if (a.state.balanceMinor !== b.state.balanceMinor) throw new Error('snapshots changed the answer');
        if (i < 0) continue; // warm-up
        fast.push(fastMs);
        slow.push(slowMs);
      }
      figures.push(
        figure({
          id: 'event-store.load-10k.ms',
          group: 'event-store',
          title: `load of a ${s.long}-event stream with snapshots (every 100)`,
          unit: 'ms',
          better: 'lower',
          subject: stats(fast),
          baseline: { label: 'the same load without snapshots', stats: stats(slow) },
          note: `With snapshots the load reads the latest snapshot and the events after it; without, all ${s.long} events. Ratio: with ÷ without.`,
        }),
      );
      progress('long stream done');
    }

    // 4. Projection catch-up through the accounts projector, against plain PutItem of the folded rows; then
    // a rebuild from the whole store, against one Scan of the events table.
    {
      const records: DynamoDBRecord[] = [];
      for (let k = 0; k < s.projectedStreams; k += 1) {
        const streamId = `account-${randomUUID()}`;
        const stored = await withSnapshots.append(streamId, 'no-stream', [
          opened,
          ...Array.from({ length: 98 }, () => deposit(1)),
        ]);
        stored.push(...(await withSnapshots.append(streamId, 99, [deposit(1)])));
        for (const e of stored) {
          records.push({
            eventName: 'INSERT',
            eventSourceARN: `arn:aws:dynamodb:us-east-1:000000000000:table/${events}/stream/bench`,
            dynamodb: {
              NewImage: marshall(e, { removeUndefinedValues: true }) as never,
              SequenceNumber: String(records.length + 1),
            },
          });
        }
      }
      const context = { functionName: 'bench', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
      const batches = Array.from({ length: Math.ceil(records.length / 100) }, (_, i) => ({
        Records: records.slice(i * 100, (i + 1) * 100),
      }));
      let control = '';
      const projectRun = async (only = batches) => {
        control = await table('projections', [['projection', 'S']]);
        const viewA = await table('view-a', [['accountId', 'S']]);
        const viewB = await table('view-b', [['accountId', 'S']]);
        process.env.PROJECTIONS = JSON.stringify({ accounts: { control, tables: { a: viewA, b: viewB } } });
        const handler = createProjector('accounts', accountsProjection);
        const t0 = performance.now();
        let failed = 0;
        for (const batch of only) failed += (await handler(batch, context)).batchItemFailures.length;
        const ms = performance.now() - t0;
        if (failed > 0) throw new Error(`the projector failed ${failed} records`);
        return ms;
      };
      const plainRun = async (only = batches) => {
        const rowsTable = await table('rows', [['accountId', 'S']]);
        const rows = new Map<string, Record<string, unknown>>();
        const t0 = performance.now();
        for (const batch of only) {
          for (const record of batch.Records) {
            const stored = storedEventOf(record);
            if (!stored) continue;
            const event = upcast(stored, accountsProjection.upcasters ?? {});
            const key = accountsProjection.keyOf(event);
            const row = {
              ...accountsProjection.evolve(rows.get(key) as never, event),
              accountId: key,
              version: event.version,
              updatedAt: event.occurredAt,
            };
            rows.set(key, row);
            await documents.send(new PutCommand({ TableName: rowsTable, Item: row }));
          }
        }
        const ms = performance.now() - t0;
        await client.send(new DeleteTableCommand({ TableName: rowsTable }));
        return ms;
      };
      await projectRun(batches.slice(0, 1));
      await plainRun(batches.slice(0, 1));
      const projected: number[] = [];
      const plain: number[] = [];
      for (let r = 0; r < s.runs; r += 1) {
        projected.push(rate(records.length, await projectRun()));
        plain.push(rate(records.length, await plainRun()));
      }
      figures.push(
        figure({
          id: 'event-store.projection.events-per-s',
          group: 'event-store',
          title: 'projection catch-up through the accounts projector',
          unit: 'events/s',
          better: 'higher',
          subject: stats(projected),
          baseline: { label: 'plain PutItem of each folded row', stats: stats(plain) },
          note: `A run: ${records.length} events of ${s.projectedStreams} streams in batches of 100 through one projector with fresh read-model tables (a GetItem and a conditional PutItem per event, a control GetItem and checkpoint UpdateItem per batch); the baseline folds rows in memory and writes each with PutItem.`,
        }),
      );
      progress('projection catch-up done');

      // The last run's control item names the events table and the tables: rebuild alternates a and b.
      const rebuilds: number[] = [];
      const scans: number[] = [];
      let storeEvents = 0;
      const scan = async () => {
        let items = 0;
        let ExclusiveStartKey: Record<string, unknown> | undefined;
        do {
          const page = await documents.send(
            new ScanCommand({ TableName: events, ConsistentRead: true, ExclusiveStartKey }),
          );
          items += page.Items?.length ?? 0;
          ExclusiveStartKey = page.LastEvaluatedKey;
        } while (ExclusiveStartKey);
        return items;
      };
      for (let r = 0; r < Math.min(3, s.runs); r += 1) {
        const t0 = performance.now();
        const report = await rebuildProjection({
          documents,
          controlTable: control,
          projection: 'accounts',
          spec: accountsProjection as never,
          settleMs: 0,
        });
        rebuilds.push(rate(report.events, performance.now() - t0));
        storeEvents = report.events;
        const t1 = performance.now();
        const scanned = await scan();
        scans.push(rate(scanned, performance.now() - t1));
      }
      figures.push(
        figure({
          id: 'event-store.rebuild.events-per-s',
          group: 'event-store',
          title: 'rebuild of the accounts projection from the whole store',
          unit: 'events/s',
          better: 'higher',
          subject: stats(rebuilds),
          baseline: { label: 'one consistent Scan of the events table', stats: stats(scans) },
          note: `The store holds ${storeEvents} account events; a rebuild clears the inactive table, scans the store, folds, writes the rows, switches, and scans again for a catch-up pass.`,
        }),
      );
      progress('rebuild done');
    }
    return figures;
  } finally {
    client.destroy();
    await ddb.stop();
  }
}

export const benchmark: Benchmark = { group: 'event-store', run };

if (isMain(import.meta.url)) for (const f of await benchmark.run()) console.log(formatFigure(f));
