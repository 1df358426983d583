import { createSqsConsumer } from '@conflux/handler-kit';
import { recordOnce } from './adapters';
import { inboxEntry, InboundWebhook } from './domain';

/**
 * Consumes the webhooks the gateway queued: provider and received-at come from message attributes, the
 * body is the provider's payload. An unknown provider or a malformed payload fails the record, which after
 * the queue's retries lands in its DLQ with the reason in the log.
 */
export const handler = createSqsConsumer({
  schema: InboundWebhook,
  what: 'webhook',
  idempotencyKey: '[provider, body.id]',
  opaqueBody: true,
  fromRecord: (record, body) => ({
    rawBody: record.body,
    provider: record.messageAttributes.provider?.stringValue,
    receivedAt: record.messageAttributes.receivedAt?.stringValue,
    body,
  }),
  handle: async (webhook: InboundWebhook) => ({ recorded: await recordOnce(inboxEntry(webhook)) }),
});
