import { randomUUID } from 'node:crypto';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import type { handler as Handler } from '../../../functions/accounts/projector.handler';
import type { StoredEvent } from '@conflux/handler-kit/event-store';
import { useDynamoDbLocal } from '../../../../test/support/dynamodb';
import { lambdaContext } from '../../../../test/support/fixtures';

let sequence = 1000;
function streamRecord(event: StoredEvent): DynamoDBRecord {
  sequence += 1;
  return {
    eventID: randomUUID(),
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/events/stream/x',
    dynamodb: {
      Keys: marshall({ streamId: event.streamId, version: event.version }) as never,
      NewImage: marshall(event, { removeUndefinedValues: true }) as never,
      SequenceNumber: String(sequence),
      StreamViewType: 'NEW_IMAGE',
    },
  };
}
function nth<T>(list: readonly T[], i: number): T {
  const item = list[i];
  if (item === undefined) throw new Error(`no item ${i}`);
  return item;
}
const batch = (...records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });

function accountStream(accountId: string, amounts: number[]): StoredEvent[] {
  const base = { streamId: `account-${accountId}`, metadata: { correlationId: 'c' } };
  return [
    {
      ...base,
      version: 1,
      eventId: randomUUID(),
      type: 'AccountOpened',
      schemaVersion: 1,
      data: { owner: 'alice', currency: 'EUR' },
      occurredAt: '2026-01-01T00:00:00.000Z',
    },
    ...amounts.map((amountMinor, i) => ({
      ...base,
      version: i + 2,
      eventId: randomUUID(),
      type: 'MoneyDeposited',
      schemaVersion: 2,
      data: { amountMinor },
      occurredAt: `2026-01-01T00:0${i + 1}:00.000Z`,
    })),
  ];
}

describe('accounts projector (DynamoDB Local)', () => {
  const ddb = useDynamoDbLocal();
  let table: string;
  let control: string;
  let handler: typeof Handler;

  beforeAll(async () => {
    table = await ddb.createTable('accounts-view-a', 'accountId');
    control = await ddb.createTable('projections', 'projection');
    process.env.PROJECTIONS = JSON.stringify({
      accounts: { control, tables: { a: table, b: await ddb.createTable('accounts-view-b', 'accountId') } },
    });
    ({ handler } = await import('../../../functions/accounts/projector.handler'));
  });

  it('leaves the read model exactly as one delivery would after duplicates and a redelivered batch', async () => {
    const [once, twice] = [randomUUID(), randomUUID()];
    const amounts = [100, 250, 50];
    await handler(batch(...accountStream(once, amounts).map(streamRecord)), lambdaContext());

    const events = accountStream(twice, amounts);
    const records = events.map(streamRecord);
    const first = await handler(
      batch(nth(records, 0), nth(records, 0), nth(records, 1), nth(records, 1)),
      lambdaContext(),
    );
    const redelivered = await handler(batch(...records, ...records), lambdaContext());
    expect(first.batchItemFailures).toEqual([]);
    expect(redelivered.batchItemFailures).toEqual([]);

    const strip = (row: Record<string, unknown> | undefined) => ({ ...row, accountId: undefined });
    expect(strip(await ddb.get(table, { accountId: twice }))).toEqual(
      strip(await ddb.get(table, { accountId: once })),
    );
    expect(await ddb.get(table, { accountId: twice })).toMatchObject({
      balanceMinor: 400,
      version: 4,
      owner: 'alice',
    });
  });

  it('fails an event that arrives before its predecessor, and applies it once the predecessor is in', async () => {
    const id = randomUUID();
    const records = accountStream(id, [10, 20]).map(streamRecord);
    const gap = await handler(batch(nth(records, 0), nth(records, 2)), lambdaContext());
    expect(gap.batchItemFailures).toEqual([{ itemIdentifier: nth(records, 2).dynamodb?.SequenceNumber }]);
    expect(await ddb.get(table, { accountId: id })).toMatchObject({ version: 1, balanceMinor: 0 });
    // The mapping retries from the failed record; the predecessor arrives in order this time.
    const retried = await handler(batch(nth(records, 1), nth(records, 2)), lambdaContext());
    expect(retried.batchItemFailures).toEqual([]);
    expect(await ddb.get(table, { accountId: id })).toMatchObject({ version: 3, balanceMinor: 30 });
  });

  it('records its checkpoint and ignores streams of other aggregates', async () => {
    const other = { ...nth(accountStream(randomUUID(), []), 0), streamId: `order-${randomUUID()}` };
    const record = streamRecord(other);
    await handler(batch(record), lambdaContext());
    expect(await ddb.get(control, { projection: 'accounts' })).toMatchObject({
      active: 'a',
      checkpoint: record.dynamodb?.SequenceNumber,
      eventsTable: 'events',
    });
    expect(await ddb.get(table, { accountId: other.streamId.slice('account-'.length) })).toBeUndefined();
  });
});
