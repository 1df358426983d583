import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { PublishCommand } from '@aws-sdk/client-sns';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { handler as NotificationsHandler } from '../../functions/notifications/order-events.handler';
import { loadConfig } from '../../config';
import { redrive } from '../../ops/redrive';
import { MessagingStack } from '../../stacks/messaging-stack';
import { cdkJsonContext } from '../../../test/support/cdk';
import { useDynamoDbLocal } from '../../../test/support/dynamodb';
import { startMessagingEngine, type MessagingEngine } from '../../../test/support/fauxqs';
import { domainEvent, lambdaContext } from '../../../test/support/fixtures';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');

/**
 * The messaging stack's queues, topics and subscriptions, exactly as synthesized, on a real SQS/SNS engine
 * (fauxqs), with the real notifications handler consuming its queue.
 */
describe('messaging on fauxqs', () => {
  const ddb = useDynamoDbLocal();
  let engine: MessagingEngine;
  let logicalIds: {
    notifications: string;
    notificationsDlq: string;
    analytics: string;
    analyticsDlq: string;
    topic: string;
  };
  let notificationsTable: string;
  let handler: typeof NotificationsHandler;

  beforeAll(async () => {
    const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
    const stack = new MessagingStack(app, 'Messaging', { config: loadConfig(() => undefined) });
    const logicalId = (construct: IConstruct) =>
      stack.getLogicalId(construct.node.defaultChild as CfnElement);
    const notifications = stack.domainEvents.subscriber('Notifications').queue;
    const analytics = stack.domainEvents.subscriber('Analytics').queue;
    logicalIds = {
      notifications: logicalId(notifications.queue),
      notificationsDlq: logicalId(notifications.deadLetterQueue),
      analytics: logicalId(analytics.queue),
      analyticsDlq: logicalId(analytics.deadLetterQueue),
      topic: logicalId(stack.domainEvents.topic),
    };
    engine = await startMessagingEngine(Template.fromStack(stack).toJSON() as never);

    notificationsTable = await ddb.createTable('notifications', 'notificationId');
    process.env.NOTIFICATIONS_TABLE_NAME = notificationsTable;
    process.env.IDEMPOTENCY_TABLE_NAME = await ddb.createTable('idempotency', 'id');
    ({ handler } = await import('../../functions/notifications/order-events.handler'));
  });
  afterAll(async () => {
    await engine.stop();
  });

  const queueUrl = (id: string) => {
    const queue = engine.queues.get(id);
    if (!queue) throw new Error(`no queue ${id}`);
    return queue.url;
  };
  const depth = async (id: string) => {
    const { Attributes } = await engine.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl(id),
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes?.ApproximateNumberOfMessages) +
      Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
    );
  };
  const receiveAll = async (id: string) => {
    const { Messages = [] } = await engine.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl(id), MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    if (Messages.length > 0) {
      await engine.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl(id),
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    return Messages.map((m) => JSON.parse(m.Body ?? '{}') as { eventId: string });
  };
  const publish = (event: ReturnType<typeof domainEvent>) =>
    engine.sns.send(
      new PublishCommand({
        TopicArn: engine.topics.get(logicalIds.topic),
        Message: JSON.stringify(event),
        MessageAttributes: { eventType: { DataType: 'String', StringValue: event.eventType } },
      }),
    );

  it('delivers a published event only to the subscribers whose filter matches', async () => {
    // GIVEN one event each subscriber wants, and one only analytics wants
    const confirmed = domainEvent({ eventType: 'OrderConfirmed' });
    const placed = domainEvent({ eventType: 'OrderPlaced' });
    // WHEN
    await publish(confirmed);
    await publish(placed);
    // THEN
    const notified = await receiveAll(logicalIds.notifications);
    const counted = [
      ...(await receiveAll(logicalIds.analytics)),
      ...(await receiveAll(logicalIds.analytics)),
    ];
    expect(notified.map((e) => e.eventId)).toEqual([confirmed.eventId]);
    expect(counted.map((e) => e.eventId).sort()).toEqual([confirmed.eventId, placed.eventId].sort());
  });

  it('moves a message that always fails to the DLQ after exactly maxReceiveCount receives, losing nothing', async () => {
    // GIVEN two good order events and one whose data the consumer always rejects
    const good = [domainEvent(), domainEvent()];
    const poison = domainEvent({ data: { orderId: 'o-poison' } });
    for (const event of [...good, poison]) await publish(event);
    const sent = 3;

    // WHEN the handler consumes the queue as an event source mapping would: invoke with the batch,
    // delete what succeeded, leave the failures to come back (visibility 0 stands in for the timeout)
    const receives = new Map<string, number>();
    let succeeded = 0;
    for (let round = 0; round < 20; round += 1) {
      const { Messages = [] } = await engine.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl(logicalIds.notifications),
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 0,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) break;
      const records = Messages.map(
        (m) =>
          ({
            messageId: m.MessageId,
            receiptHandle: m.ReceiptHandle,
            body: m.Body,
            attributes: m.Attributes,
            messageAttributes: {},
            md5OfBody: m.MD5OfBody,
            eventSource: 'aws:sqs',
            eventSourceARN: engine.queues.get(logicalIds.notifications)?.arn,
            awsRegion: 'us-east-1',
          }) as SQSRecord,
      );
      for (const r of records) {
        const eventId = (JSON.parse(r.body) as { eventId: string }).eventId;
        receives.set(eventId, (receives.get(eventId) ?? 0) + 1);
      }
      const { batchItemFailures } = await handler({ Records: records } satisfies SQSEvent, lambdaContext());
      const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
      const done = records.filter((r) => !failed.has(r.messageId));
      succeeded += done.length;
      if (done.length > 0) {
        await engine.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl(logicalIds.notifications),
            Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
          }),
        );
      }
    }

    // THEN
    expect(receives.get(poison.eventId)).toBe(5);
    expect(await depth(logicalIds.notificationsDlq)).toBe(1);
    expect(await depth(logicalIds.notifications)).toBe(0);
    expect(succeeded + (await depth(logicalIds.notificationsDlq))).toBe(sent);
    const stored = await ddb.scan(notificationsTable);
    expect(stored.map((n) => n.notificationId).sort()).toEqual(good.map((e) => e.eventId).sort());
  });

  it('redrives the DLQ back to its source queue', async () => {
    // GIVEN the poison message of the previous test in the DLQ
    expect(await depth(logicalIds.notificationsDlq)).toBe(1);
    // WHEN
    const progress: number[] = [];
    const result = await redrive(engine.sqs, {
      queue: queueUrl(logicalIds.notificationsDlq),
      onProgress: (moved) => progress.push(moved),
    });
    // THEN
    expect(result).toMatchObject({
      moved: 1,
      method: 'receive-send-delete',
      sourceQueueUrls: [queueUrl(logicalIds.notifications)],
    });
    expect(progress.at(-1)).toBe(1);
    expect(await depth(logicalIds.notificationsDlq)).toBe(0);
    const back = await receiveAll(logicalIds.notifications);
    expect((back[0]?.eventId ?? '').length).toBeGreaterThan(0);
    expect(back).toHaveLength(1);
  });

  describe('the redrive command', () => {
    const cli = async (...args: string[]) =>
      run(
        'npx',
        ['tsx', 'app/bin/redrive.ts', '--endpoint', engine.endpoint, '--region', 'us-east-1', ...args],
        {
          cwd: root,
          env: { ...process.env, NODE_NO_WARNINGS: '1' },
        },
      ).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        // execFile rejects on a non-zero exit with the code and both outputs attached.
        (error: unknown) => error as { code: number; stdout: string; stderr: string },
      );

    it('moves messages by queue name, at most --max, and prints the count', async () => {
      // GIVEN three messages in the analytics DLQ (its source queue holds earlier tests' events too)
      const dlqName = logicalIds.analyticsDlq;
      const before = await depth(logicalIds.analytics);
      for (const n of [1, 2, 3]) {
        await engine.sqs.send(
          new SendMessageCommand({ QueueUrl: queueUrl(logicalIds.analyticsDlq), MessageBody: `{"n":${n}}` }),
        );
      }
      // WHEN
      const { code, stdout } = await cli('--queue', dlqName, '--max', '2');
      // THEN
      expect(code).toBe(0);
      expect(stdout).toMatch(/moved 2 message\(s\) from .* \(receive-send-delete\)/);
      expect(await depth(logicalIds.analyticsDlq)).toBe(1);
      expect(await depth(logicalIds.analytics)).toBe(before + 2);
    });

    it('exits non-zero for an unknown queue', async () => {
      const { code, stderr } = await cli('--queue', 'no-such-queue');
      expect(code).toBe(1);
      expect(stderr).toContain('redrive: queue "no-such-queue" does not exist');
    });

    it('exits non-zero for a queue that is not a DLQ', async () => {
      const { code, stderr } = await cli('--queue', logicalIds.notifications);
      expect(code).toBe(1);
      expect(stderr).toContain(`redrive: queue "${logicalIds.notifications}" is not a dead-letter queue`);
    });

    it('exits 2 on a usage error', async () => {
      const { code, stderr } = await cli('--max', '0', '--queue', 'x');
      expect(code).toBe(2);
      expect(stderr).toContain('--max must be a whole number of at least 1');
    });
  });
});
