import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { AccountAggregate, accountUpcasters } from '../../../functions/accounts/domain';
import {
  ConcurrencyError,
  createEventStore,
  latest,
  type EventStore,
  type NewEvent,
} from '@conflux/handler-kit/event-store';
import { useDynamoDbLocal } from '../../../../test/support/dynamodb';

const metadata = { correlationId: 'test', actor: 'tester' };
const deposit = (amountMinor: number, occurredAt?: string): NewEvent => ({
  type: 'MoneyDeposited',
  schemaVersion: 2,
  data: { amountMinor },
  metadata,
  occurredAt,
});
const opened = (occurredAt?: string): NewEvent => ({
  type: 'AccountOpened',
  schemaVersion: 1,
  data: { owner: 'alice', currency: 'EUR' },
  metadata,
  occurredAt,
});

describe('event store (DynamoDB Local)', () => {
  const ddb = useDynamoDbLocal();
  let documents: DynamoDBDocumentClient;
  let events: string;
  let snapshots: string;
  let store: EventStore;
  let plain: EventStore;

  async function createKeyedTable(prefix: string): Promise<string> {
    const name = `${prefix}-${randomUUID().slice(0, 8)}`;
    await new DynamoDBClient({ endpoint: ddb.endpoint }).send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'streamId', AttributeType: 'S' },
          { AttributeName: 'version', AttributeType: 'N' },
        ],
        KeySchema: [
          { AttributeName: 'streamId', KeyType: 'HASH' },
          { AttributeName: 'version', KeyType: 'RANGE' },
        ],
      }),
    );
    return name;
  }

  beforeAll(async () => {
    documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: ddb.endpoint }));
    events = await createKeyedTable('events');
    snapshots = await createKeyedTable('snapshots');
    store = createEventStore({
      documents,
      tableName: events,
      snapshotTableName: snapshots,
      snapshotEvery: 5,
      upcasters: accountUpcasters,
    });
    plain = createEventStore({ documents, tableName: events, upcasters: accountUpcasters });
  });

  /** Appends one event at a time as a command handler does, snapshotting when due. */
  async function record(streamId: string, list: NewEvent[]) {
    for (const event of list) {
      const loaded = await store.load(streamId, AccountAggregate);
      const stored = await store.append(streamId, loaded.version === 0 ? 'no-stream' : loaded.version, [
        event,
      ]);
      await store.snapshotIfDue(streamId, AccountAggregate, loaded.version, {
        state: stored.reduce(AccountAggregate.evolve, loaded.state),
        version: loaded.version + stored.length,
        maxOccurredAt: latest([loaded.maxOccurredAt, ...stored.map((e) => e.occurredAt)]),
      });
    }
  }

  it('lets exactly one of 8 racers at the same expected version win, 50 times over, and the losers write nothing', async () => {
    for (let round = 0; round < 50; round += 1) {
      const streamId = `race-${randomUUID()}`;
      await store.append(streamId, 'no-stream', [opened()]);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => store.append(streamId, 1, [deposit(i + 1), deposit(1000)])),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(7);
      for (const o of lost) expect(o.reason).toBeInstanceOf(ConcurrencyError);
      const stream = await store.read(streamId);
      // One opening and the winner's two events: nothing of a loser, no gap.
      expect(stream.map((e) => e.version)).toEqual([1, 2, 3]);
    }
  });

  it('refuses an append that expects a version the stream has not reached, and no-stream on an existing stream', async () => {
    const streamId = `gap-${randomUUID()}`;
    await store.append(streamId, 'no-stream', [opened()]);
    await expect(store.append(streamId, 5, [deposit(1)])).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(store.append(streamId, 'no-stream', [opened()])).rejects.toBeInstanceOf(ConcurrencyError);
    const [appended] = await store.append(streamId, 'any', [deposit(1)]);
    expect(appended?.version).toBe(2);
  });

  it('answers the balance as of any past instant as a replay up to it would, with or without snapshots', async () => {
    const streamId = `account-${randomUUID()}`;
    const base = Date.parse('2026-01-01T00:00:00Z');
    const at = (i: number) => new Date(base + i * 60_000).toISOString();
    const amounts = Array.from({ length: 23 }, (_, i) => ((i * 37) % 101) + 1);
    await record(streamId, [opened(at(0)), ...amounts.map((a, i) => deposit(a, at(i + 1)))]);
    const { Count } = await documents.send(
      new (await import('@aws-sdk/lib-dynamodb')).QueryCommand({
        TableName: snapshots,
        KeyConditionExpression: 'streamId = :s',
        ExpressionAttributeValues: { ':s': streamId },
      }),
    );
    expect(Count).toBe(4); // versions 5, 10, 15, 20

    for (let minute = 0; minute <= 24; minute += 1) {
      // Half a minute after event `minute`: it is included, the next is not.
      const instant = new Date(base + minute * 60_000 + 30_000).toISOString();
      const expected = amounts.slice(0, minute).reduce((sum, a) => sum + a, 0);
      const fast = await store.load(streamId, AccountAggregate, { timestamp: instant });
      const slow = await plain.load(streamId, AccountAggregate, { timestamp: instant });
      expect(fast.state.balanceMinor).toBe(expected);
      expect(slow.state).toEqual(fast.state);
      expect(slow.version).toBe(fast.version);
    }
    const now = await store.load(streamId, AccountAggregate);
    expect(now.fromSnapshot).toBe(true);
    expect(now.eventsRead).toBe(4); // versions 21–24 after the snapshot at 20
    expect(now.state).toEqual((await plain.load(streamId, AccountAggregate)).state);
    expect((await store.load(streamId, AccountAggregate, { version: 12 })).state.balanceMinor).toBe(
      amounts.slice(0, 11).reduce((sum, a) => sum + a, 0),
    );
  });

  it('does not use a snapshot that covers an event recorded after the instant asked for', async () => {
    const streamId = `account-${randomUUID()}`;
    // Version 5 carries an earlier time than version 4: the prefix as of 00:04:30 ends at version 3.
    const times = ['00', '01', '02', '05', '03', '06'].map((minute) => `2026-01-01T00:${minute}:00Z`);
    await record(streamId, [opened(times[0]), ...times.slice(1).map((t) => deposit(1, t))]);
    const asOf = { timestamp: '2026-01-01T00:04:30Z' };
    const fast = await store.load(streamId, AccountAggregate, asOf);
    expect(fast.version).toBe(3);
    expect(fast.state).toEqual((await plain.load(streamId, AccountAggregate, asOf)).state);
  });

  it('loads a stream of v1 and v2 deposits as v2, leaving the stored v1 events as they are', async () => {
    const streamId = `account-${randomUUID()}`;
    await store.append(streamId, 'no-stream', [opened()]);
    // A v1 event, as an old writer stored it: whole units in `amount`.
    await documents.send(
      new PutCommand({
        TableName: events,
        Item: {
          streamId,
          version: 2,
          eventId: randomUUID(),
          type: 'MoneyDeposited',
          schemaVersion: 1,
          data: { amount: 12.5 },
          metadata,
          occurredAt: new Date().toISOString(),
        },
      }),
    );
    await store.append(streamId, 2, [deposit(250)]);
    const read = await store.read(streamId);
    expect(read.slice(1).map((e) => [e.schemaVersion, e.data])).toEqual([
      [2, { amountMinor: 1250 }],
      [2, { amountMinor: 250 }],
    ]);
    expect((await store.load(streamId, AccountAggregate)).state.balanceMinor).toBe(1500);
    const raw = createEventStore({ documents, tableName: events });
    expect((await raw.read(streamId))[1]?.data).toEqual({ amount: 12.5 });
  });

  it('appends several events atomically and refuses more than a transaction holds', async () => {
    const streamId = `batch-${randomUUID()}`;
    const stored = await store.append(streamId, 'no-stream', [opened(), deposit(1), deposit(2)]);
    expect(stored.map((e) => e.version)).toEqual([1, 2, 3]);
    await expect(
      store.append(
        streamId,
        3,
        Array.from({ length: 100 }, () => deposit(1)),
      ),
    ).rejects.toThrow(/at most 99 events/);
  });
});
