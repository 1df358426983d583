import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { accountUpcasters } from './domain';
import { publishDomainEvent } from '../shared/domain-events';
import { upcast } from '@conflux/handler-kit/event-store';
import { logger } from '@conflux/handler-kit';
import { storedEventOf } from '@conflux/handler-kit';
import type { DomainEvent } from '@conflux/handler-kit';

/** The integration event of a stored event: the `domain-events` envelope around the upcast event. */
export function integrationEvent(record: DynamoDBRecord): DomainEvent | undefined {
  const stored = storedEventOf(record);
  if (!stored) return undefined;
  const event = upcast(stored, accountUpcasters);
  const dash = event.streamId.indexOf('-');
  return {
    eventId: event.eventId,
    eventType: event.type,
    aggregateType: event.streamId.slice(0, dash),
    aggregateId: event.streamId.slice(dash + 1),
    schemaVersion: event.schemaVersion,
    occurredAt: event.occurredAt,
    data: event.data,
  };
}

/**
 * The outbox relay: every event the store commits leaves through the store's change stream (never a second
 * write in the command handler) to the `domain-events` topic, validated against its registered schema, with
 * `eventType` and `aggregateType` as message attributes for subscription filters. An event that does not
 * validate goes to the rejected-events queue with the errors. Consumers deduplicate on `eventId`.
 */
export const handler = async (event: DynamoDBStreamEvent, context: Context) =>
  processPartialResponse(
    event,
    async (record: DynamoDBRecord) => {
      const integration = integrationEvent(record);
      if (!integration) return;
      const outcome = await publishDomainEvent(integration);
      if (!outcome.published)
        logger.error('event rejected', { eventId: integration.eventId, errors: outcome.errors });
    },
    new BatchProcessor(EventType.DynamoDBStreams),
    { context, processInParallel: false, throwOnFullBatchFailure: false },
  );
