import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { requireEnv } from '../shared/env';
import { upcast } from '../shared/event-store';
import { accountUpcasters } from '../accounts-api/domain';
import { tracer } from '../shared/powertools';
import { storedEventOf } from '../shared/projection';
import { DomainEvent } from '../shared/schemas';
import { InvalidMessageError } from '../shared/errors';

const topicArn = requireEnv('DOMAIN_EVENTS_TOPIC_ARN');
const sns = tracer.captureAWSv3Client(new SNSClient({}));

/** The integration event of a stored event: the `domain-events` envelope, validated before it leaves. */
export function integrationEvent(record: DynamoDBRecord): DomainEvent | undefined {
  const stored = storedEventOf(record);
  if (!stored) return undefined;
  const event = upcast(stored, accountUpcasters);
  const dash = event.streamId.indexOf('-');
  const parsed = DomainEvent.safeParse({
    eventId: event.eventId,
    eventType: event.type,
    aggregateType: event.streamId.slice(0, dash),
    aggregateId: event.streamId.slice(dash + 1),
    schemaVersion: event.schemaVersion,
    occurredAt: event.occurredAt,
    data: event.data,
  });
  if (!parsed.success) throw InvalidMessageError.fromZod(`integration event ${event.eventId}`, parsed.error);
  return parsed.data;
}

/**
 * The outbox relay: every event the store commits leaves through the store's change stream (never a second
 * write in the command handler) to the `domain-events` topic, with `eventType` and `aggregateType` as
 * message attributes for subscription filters. Consumers deduplicate on `eventId`.
 */
export const handler = async (event: DynamoDBStreamEvent, context: Context) =>
  processPartialResponse(
    event,
    async (record: DynamoDBRecord) => {
      const integration = integrationEvent(record);
      if (!integration) return;
      await sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Message: JSON.stringify(integration),
          MessageAttributes: {
            eventType: { DataType: 'String', StringValue: integration.eventType },
            aggregateType: { DataType: 'String', StringValue: integration.aggregateType },
          },
        }),
      );
    },
    new BatchProcessor(EventType.DynamoDBStreams),
    { context, processInParallel: false, throwOnFullBatchFailure: false },
  );
