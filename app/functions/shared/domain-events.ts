import { createHash } from 'node:crypto';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { validateEventData } from './event-schemas';
import { requireEnv } from '@conflux/handler-kit';
import { tracer } from '@conflux/handler-kit';
import { DomainEvent } from '@conflux/handler-kit';

const sns = tracer.captureAWSv3Client(new SNSClient({}));
// The configured endpoint, not the queue URL's host: offline, queue URLs name hosts (sqs.<region>.localhost)
// that need not resolve; on AWS the regional endpoint serves every queue URL.
const sqs = tracer.captureAWSv3Client(new SQSClient({ useQueueUrlAsEndpoint: false }));

/**
 * The same UUID for the same facts (`OrderCancelled` of order 42 is always one id), so a producer that
 * publishes again after a retry produces a duplicate consumers recognise, never a second event.
 */
export function eventIdFor(...facts: string[]): string {
  const hex = createHash('sha256').update(facts.join('\u0000')).digest('hex');
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** What became of an event handed to {@link publishDomainEvent}. */
export type PublishOutcome =
  { readonly published: true } | { readonly published: false; readonly errors: string[] };

/**
 * Publishes a domain event to `DOMAIN_EVENTS_TOPIC_ARN` with the attributes filters use — if it validates:
 * the envelope against `DomainEvent`, the data against the registered Avro schema of its type and version.
 * An event that does not validate is not published: it goes to `REJECTED_EVENTS_QUEUE_URL` with the
 * validation errors (retrying could not fix it), and the outcome says so.
 */
export async function publishDomainEvent(event: DomainEvent): Promise<PublishOutcome> {
  const envelope = DomainEvent.safeParse(event);
  const errors = envelope.success
    ? validateEventData(event.eventType, event.schemaVersion, event.data)
    : envelope.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`);
  if (errors.length > 0) {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: requireEnv('REJECTED_EVENTS_QUEUE_URL'),
        MessageBody: JSON.stringify({ event, errors }),
        MessageAttributes: {
          reason: { DataType: 'String', StringValue: errors.join('; ').slice(0, 1000) },
          eventType: { DataType: 'String', StringValue: event.eventType },
        },
      }),
    );
    return { published: false, errors };
  }
  const valid = envelope.success ? envelope.data : event;
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
  return { published: true };
}
