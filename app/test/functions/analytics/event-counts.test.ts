import { beforeAll, describe, expect, it } from 'vitest';
import type { handler as Handler } from '../../../functions/analytics/event-counts.handler';
import { counterFor } from '../../../functions/analytics/domain';
import { useDynamoDbLocal } from '../../../../test/support/dynamodb';
import { domainEvent, lambdaContext, sqsEvent, sqsRecord } from '../../../../test/support/fixtures';

describe('counterFor', () => {
  it('counts by event type and the day the event occurred', () => {
    expect(
      counterFor(domainEvent({ eventType: 'OrderPlaced', occurredAt: '2026-11-24T23:30:00-02:00' })),
    ).toEqual({
      counterId: 'OrderPlaced#2026-11-25',
      eventType: 'OrderPlaced',
      day: '2026-11-25',
    });
  });
});

describe('analytics consumer', () => {
  const ddb = useDynamoDbLocal();
  let table: string;
  let handler: typeof Handler;

  beforeAll(async () => {
    table = await ddb.createTable('analytics', 'counterId');
    process.env.ANALYTICS_TABLE_NAME = table;
    process.env.IDEMPOTENCY_TABLE_NAME = await ddb.createTable('idempotency', 'id');
    ({ handler } = await import('../../../functions/analytics/event-counts.handler'));
  });

  const count = async (counterId: string) => (await ddb.get(table, { counterId }))?.count;

  it('reports exactly the two bad records of a batch and applies the rest', async () => {
    // GIVEN three good events and two bad records
    const good = () => sqsRecord(domainEvent({ eventType: 'BatchTest' }));
    const notJson = sqsRecord('{not json');
    const noEventId = sqsRecord({ ...domainEvent(), eventId: undefined });
    // WHEN
    const response = await handler(sqsEvent(good(), notJson, good(), noEventId, good()), lambdaContext());
    // THEN
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [notJson.messageId, noEventId.messageId].sort(),
    );
    expect(await count('BatchTest#2026-11-25')).toBe(3);
  });

  it('has one effect when the same event is delivered twice', async () => {
    // GIVEN one event, delivered in two messages (as SNS or a producer retry would)
    const event = domainEvent({ eventType: 'DuplicateTest' });
    // WHEN
    const first = await handler(sqsEvent(sqsRecord(event)), lambdaContext());
    const second = await handler(sqsEvent(sqsRecord(event)), lambdaContext());
    // THEN
    expect(first.batchItemFailures).toEqual([]);
    expect(second.batchItemFailures).toEqual([]);
    expect(await count('DuplicateTest#2026-11-25')).toBe(1);
  });

  it('counts different events separately', async () => {
    const events = [domainEvent({ eventType: 'ManyTest' }), domainEvent({ eventType: 'ManyTest' })];
    await handler(sqsEvent(...events.map((e) => sqsRecord(e))), lambdaContext());
    expect(await count('ManyTest#2026-11-25')).toBe(2);
  });
});
