import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { startFauxqs } from '@conflux/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAs, validateEventData } from '../../../functions/shared/event-schemas';
import type * as DomainEvents from '../../../functions/shared/domain-events';
import { notificationFor } from '../../../functions/notifications/domain';
import { domainEvent } from '../../../../test/support/fixtures';

const lines = [{ sku: 'SKU-1', quantity: 2 }];

describe('registered event schemas', () => {
  it('validates event data against its type and version, naming each bad field', () => {
    expect(
      validateEventData('OrderConfirmed', 2, { orderId: 'o', customerId: 'c', items: lines, channel: 'api' }),
    ).toEqual([]);
    expect(
      validateEventData('OrderConfirmed', 2, { orderId: 'o', items: [{ sku: 'S', quantity: 1.5 }] }),
    ).toEqual(['customerId: undefined is not a valid string', 'items.0.quantity: 1.5 is not a valid int']);
    expect(validateEventData('OrderShipped', 1, {})).toEqual(['no schema is registered for OrderShipped v1']);
  });

  it('lets a v1 consumer read a v2 event through schema resolution', () => {
    const v2 = { orderId: 'o-1', customerId: 'c-1', items: lines, channel: 'partner-portal' };
    expect(readAs('OrderConfirmed', 2, v2, 1)).toEqual({ orderId: 'o-1', customerId: 'c-1', items: lines });
    // …and a v2 reader fills the new field's default into v1 data.
    expect(readAs('OrderConfirmed', 1, { orderId: 'o-1', customerId: 'c-1', items: lines }, 2)).toMatchObject(
      {
        channel: 'api',
      },
    );
    // The notifications consumer, written against v1, handles v2 events unchanged.
    const event = domainEvent({ eventType: 'OrderConfirmed', schemaVersion: 2, data: v2 });
    expect(notificationFor(event)).toMatchObject({
      orderId: 'o-1',
      customerId: 'c-1',
      template: 'order-confirmed',
    });
  });
});

describe('publishing a domain event (fauxqs)', () => {
  let stop: () => Promise<void>;
  let sqs: SQSClient;
  let rejectedUrl: string;
  let deliveredUrl: string;
  let publish: typeof DomainEvents.publishDomainEvent;

  beforeAll(async () => {
    const server = await startFauxqs('us-east-1');
    stop = () => server.stop();
    const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
    sqs = new SQSClient({ endpoint: server.address, region: 'us-east-1', credentials });
    const sns = new SNSClient({ endpoint: server.address, region: 'us-east-1', credentials });
    rejectedUrl =
      (await sqs.send(new CreateQueueCommand({ QueueName: `rejected-${randomUUID()}` }))).QueueUrl ?? '';
    deliveredUrl =
      (await sqs.send(new CreateQueueCommand({ QueueName: `delivered-${randomUUID()}` }))).QueueUrl ?? '';
    const topicArn =
      (await sns.send(new CreateTopicCommand({ Name: `events-${randomUUID()}` }))).TopicArn ?? '';
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: `arn:aws:sqs:us-east-1:000000000000:${deliveredUrl.split('/').pop() ?? ''}`,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SNS: server.address,
      AWS_ENDPOINT_URL_SQS: server.address,
      DOMAIN_EVENTS_TOPIC_ARN: topicArn,
      REJECTED_EVENTS_QUEUE_URL: rejectedUrl,
    });
    ({ publishDomainEvent: publish } = await import('../../../functions/shared/domain-events'));
  });
  afterAll(async () => {
    await stop();
  });

  const receive = async (url: string) =>
    (
      await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ['All'],
        }),
      )
    ).Messages ?? [];

  it('publishes a valid event and routes an invalid one to the rejected-events queue with its reason', async () => {
    const good = domainEvent({
      eventType: 'OrderCancelled',
      data: { orderId: 'o', customerId: 'c', items: lines },
    });
    const bad = domainEvent({ eventType: 'OrderCancelled', data: { orderId: 'o', items: 'none' } });
    expect(await publish(good)).toEqual({ published: true });
    const outcome = await publish(bad);
    expect(outcome.published).toBe(false);

    const delivered = await receive(deliveredUrl);
    expect(delivered.map((m) => (JSON.parse(m.Body ?? '{}') as { eventId: string }).eventId)).toEqual([
      good.eventId,
    ]);
    const [rejected] = await receive(rejectedUrl);
    expect(JSON.parse(rejected?.Body ?? '{}')).toMatchObject({
      event: { eventId: bad.eventId },
      errors: ['customerId: undefined is not a valid string', 'items: "none" is not a valid array'],
    });
    expect(rejected?.MessageAttributes?.reason?.StringValue).toMatch(
      /customerId: undefined is not a valid string/,
    );
  });
});
