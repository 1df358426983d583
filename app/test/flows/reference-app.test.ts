import { PublishCommand } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfluxStacks } from '../../app';
import { domainEvent } from '../../../test/support/fixtures';
import { runReferenceApp, type ReferenceApp } from '../support/reference-app';
import { eventually, type RunningApp } from '../../../test/support/runtime';

/** The reference application on the offline runtime, driven as a user would: HTTP and published events. */
describe('reference application, offline', () => {
  let app: ReferenceApp;
  let running: RunningApp;
  let stacks: ConfluxStacks;

  beforeAll(async () => {
    app = await runReferenceApp();
    ({ running, stacks } = app);
  });
  afterAll(async () => {
    await app.stop();
  });

  it('answers GET /v1/health through the gateway', async () => {
    const response = await fetch(`${running.runtime.baseUrl ?? ''}/v1/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ status: 'ok', version: '0.1.0' });
  });

  it('answers an unknown route with a JSON 404 carrying the request id', async () => {
    const response = await fetch(`${running.runtime.baseUrl ?? ''}/v1/nowhere`);
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { code: string; requestId: string } };
    expect(body.error.code).toBe('NotFound');
    expect(body.error.requestId).toBe(response.headers.get('x-amzn-requestid'));
  });

  it('delivers a published order event to the notifications table, and keeps a non-matching one out', async () => {
    // GIVEN
    const documents = DynamoDBDocumentClient.from(running.runtime.engines.dynamodb);
    const topicArn = running.physical(stacks.messaging.domainEvents.topic);
    const notifications = running.physical(stacks.messaging.node.findChild('NotificationsTable'));
    const analytics = running.physical(stacks.messaging.node.findChild('AnalyticsTable'));
    const confirmed = domainEvent({
      eventType: 'OrderConfirmed',
      data: { orderId: 'flow-1', customerId: 'c-1' },
    });
    const placed = domainEvent({ eventType: 'OrderPlaced', occurredAt: '2026-01-02T00:00:00Z' });
    const publish = (event: typeof confirmed) =>
      running.runtime.engines.sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Message: JSON.stringify(event),
          MessageAttributes: { eventType: { DataType: 'String', StringValue: event.eventType } },
        }),
      );
    // WHEN
    await publish(placed);
    await publish(confirmed);
    // THEN the confirmation is notified
    const notification = await eventually(async () => {
      const { Item } = await documents.send(
        new GetCommand({ TableName: notifications, Key: { notificationId: confirmed.eventId } }),
      );
      return Item;
    });
    expect(notification).toMatchObject({ orderId: 'flow-1', template: 'order-confirmed' });
    // and the placement reached analytics (so it was delivered and processed) but never notifications
    await eventually(async () => {
      const { Item } = await documents.send(
        new GetCommand({ TableName: analytics, Key: { counterId: 'OrderPlaced#2026-01-02' } }),
      );
      return Item;
    });
    const { Item } = await documents.send(
      new GetCommand({ TableName: notifications, Key: { notificationId: placed.eventId } }),
    );
    expect(Item).toBeUndefined();
  });
});
