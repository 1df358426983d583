import { createEventPublisher, requireEnv } from '@conflux/handler-kit';
import { validateEventData } from './event-schemas';

export { eventIdFor, type PublishOutcome } from '@conflux/handler-kit';

/**
 * Publishes a domain event to `DOMAIN_EVENTS_TOPIC_ARN` — if it validates against the application's
 * registered schemas; otherwise it goes to `REJECTED_EVENTS_QUEUE_URL` with the errors.
 */
export const publishDomainEvent = createEventPublisher({
  validate: validateEventData,
  topicArn: () => requireEnv('DOMAIN_EVENTS_TOPIC_ARN'),
  rejectedQueueUrl: () => requireEnv('REJECTED_EVENTS_QUEUE_URL'),
});
