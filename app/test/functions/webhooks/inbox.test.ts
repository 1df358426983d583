import { randomUUID } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import type { handler as Handler } from '../../../functions/webhooks/inbox.handler';
import { inboxEntry, InboundWebhook } from '../../../functions/webhooks/domain';
import { useDynamoDbLocal } from '../../../../test/support/dynamodb';
import { lambdaContext, sqsEvent, sqsRecord } from '../../../../test/support/fixtures';

/** A webhook as the gateway queues it: the provider's body, provider and received-at as attributes. */
function queued(body: unknown, provider = 'stripe', receivedAt = '1795600000000'): SQSRecord {
  const attribute = (value: string, dataType: string) => ({
    stringValue: value,
    dataType,
    stringListValues: [],
    binaryListValues: [],
  });
  return {
    ...sqsRecord(body),
    messageAttributes: {
      provider: attribute(provider, 'String'),
      receivedAt: attribute(receivedAt, 'Number'),
    },
  };
}

describe('inboxEntry', () => {
  it('keys the row by provider and the provider’s own event id', () => {
    const rawBody = '{"id":"delivery-1","type":"push","data":{},"extra":true}';
    const webhook = InboundWebhook.parse({
      provider: 'github',
      receivedAt: '1795600000000',
      body: JSON.parse(rawBody) as unknown,
      rawBody,
    });
    expect(inboxEntry(webhook)).toEqual({
      webhookId: 'github#delivery-1',
      provider: 'github',
      eventType: 'push',
      receivedAt: '2026-11-25T09:46:40.000Z',
      payload: rawBody,
    });
  });
});

describe('webhooks consumer', () => {
  const ddb = useDynamoDbLocal();
  let table: string;
  let handler: typeof Handler;

  beforeAll(async () => {
    table = await ddb.createTable('inbox', 'webhookId');
    process.env.WEBHOOK_INBOX_TABLE_NAME = table;
    process.env.IDEMPOTENCY_TABLE_NAME = await ddb.createTable('idempotency', 'id');
    ({ handler } = await import('../../../functions/webhooks/inbox.handler'));
  });

  it('records a webhook once however often it is delivered', async () => {
    const body = { id: `evt_${randomUUID()}`, type: 'charge.succeeded', data: { amount: 5 } };
    const first = await handler(sqsEvent(queued(body)), lambdaContext());
    const again = await handler(sqsEvent(queued(body)), lambdaContext());
    expect(first.batchItemFailures).toEqual([]);
    expect(again.batchItemFailures).toEqual([]);
    // Twice in one batch: the copy still in progress is failed, to be redelivered, never dropped.
    const twice = await handler(sqsEvent(queued(body), queued(body)), lambdaContext());
    expect(twice.batchItemFailures.length).toBeLessThanOrEqual(1);
    const rows = (await ddb.scan(table)).filter((r) => r.webhookId === `stripe#${body.id}`);
    expect(rows).toHaveLength(1);
  });

  it('fails exactly the poison records (unknown provider, missing attribute, bad body), so they reach the DLQ', async () => {
    const good = queued({ id: `evt_${randomUUID()}`, type: 't', data: {} });
    const unknownProvider = queued({ id: 'e1', type: 't', data: {} }, 'acme');
    const noId = queued({ type: 't', data: {} });
    const notJson = queued('{nope');
    const noAttributes = { ...queued({ id: 'e2', type: 't', data: {} }), messageAttributes: {} };
    // An id the inbox cannot key by: not printable ASCII.
    const surrogateId = queued(String.raw`{"id":"e\ud800","type":"t","data":{}}`);
    const response = await handler(
      sqsEvent(good, unknownProvider, noId, notJson, noAttributes, surrogateId),
      lambdaContext(),
    );
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [unknownProvider, noId, notJson, noAttributes, surrogateId].map((r) => r.messageId).sort(),
    );
  });

  it('records, as the text it came as, every payload JSON can write: what DynamoDB could not hold as a document', async () => {
    // GIVEN payloads DynamoDB refuses as attributes, or that lose precision as JavaScript numbers
    const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const data = [
      '{"big":9007199254740993}',
      '{"huge":1e200,"tiny":5e-324,"infinite":1e309}',
      '{"":"empty name"}',
      String.raw`{"name":"\ud800"}`,
      deep,
    ];
    const records = data.map((d) => queued(`{"id":"evt_${randomUUID()}","type":"t","data":${d}}`));
    // WHEN they are consumed
    const response = await handler(sqsEvent(...records), lambdaContext());
    // THEN every one is recorded, byte for byte
    expect(response.batchItemFailures).toEqual([]);
    const rows = await ddb.scan(table);
    for (const record of records) {
      const id = (/"id":"([^"]+)"/.exec(record.body) ?? [])[1] ?? '';
      expect(rows.find((r) => r.webhookId === `stripe#${id}`)?.payload).toBe(record.body);
    }
  });
});
