import { createHash } from 'node:crypto';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { requireEnv } from './env';
import { tracer } from './powertools';
import { DomainEvent } from './schemas';

const sns = tracer.captureAWSv3Client(new SNSClient({}));

/**
 * The same UUID for the same facts (`OrderCancelled` of order 42 is always one id), so a producer that
 * publishes again after a retry produces a duplicate consumers recognise, never a second event.
 */
export function eventIdFor(...facts: string[]): string {
  const hex = createHash('sha256').update(facts.join('\u0000')).digest('hex');
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Publishes a validated domain event to `DOMAIN_EVENTS_TOPIC_ARN` with the attributes filters use. */
export async function publishDomainEvent(event: DomainEvent): Promise<void> {
  const valid = DomainEvent.parse(event);
  await sns.send(
    new PublishCommand({
      TopicArn: requireEnv('DOMAIN_EVENTS_TOPIC_ARN'),
      Message: JSON.stringify(valid),
      MessageAttributes: {
        eventType: { DataType: 'String', StringValue: valid.eventType },
        aggregateType: { DataType: 'String', StringValue: valid.aggregateType },
      },
    }),
  );
}
