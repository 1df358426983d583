import { randomUUID } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import type { handler as Handler } from '../../lambdas/webhooks-inbox/handler';
import { inboxEntry, InboundWebhook } from '../../lambdas/webhooks-inbox/domain';
import { useDynamoDbLocal } from '../support/dynamodb';
import { lambdaContext, sqsEvent, sqsRecord } from '../support/fixtures';

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
    const webhook = InboundWebhook.parse({
      provider: 'github',
      receivedAt: '1795600000000',
      body: { id: 'delivery-1', type: 'push', data: {}, extra: true },
    });
    expect(inboxEntry(webhook)).toEqual({
      webhookId: 'github#delivery-1',
      provider: 'github',
      eventType: 'push',
      receivedAt: '2026-11-25T09:46:40.000Z',
      payload: { id: 'delivery-1', type: 'push', data: {}, extra: true },
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
    ({ handler } = await import('../../lambdas/webhooks-inbox/handler'));
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
    // JSON text can write what no consumer can hold: a lone surrogate, a number beyond the double range.
    const loneSurrogate = queued(String.raw`{"id":"e3","type":"t","data":{"name":"\ud800"}}`);
    const infinite = queued('{"id":"e4","type":"t","data":{"amount":1e309}}');
    const response = await handler(
      sqsEvent(good, unknownProvider, noId, notJson, noAttributes, loneSurrogate, infinite),
      lambdaContext(),
    );
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [unknownProvider, noId, notJson, noAttributes, loneSurrogate, infinite].map((r) => r.messageId).sort(),
    );
  });
});
