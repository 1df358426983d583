import * as z from 'zod/mini';
import { WEBHOOK_PROVIDERS, WebhookBody } from './contract';

/** A webhook as the queue delivers it: the body the provider sent, and what the gateway added. */
export const InboundWebhook = z.object({
  provider: z.enum(WEBHOOK_PROVIDERS, { message: `must be one of ${WEBHOOK_PROVIDERS.join(', ')}` }),
  receivedAt: z.string().check(z.regex(/^\d{13}$/, 'must be epoch milliseconds')),
  body: WebhookBody,
  /** The body exactly as the provider sent it, kept as text: any JSON the gateway accepted can be recorded. */
  rawBody: z.string(),
});
export type InboundWebhook = z.infer<typeof InboundWebhook>;

/** The inbox row of a webhook: one per provider event id, so a provider's retries collapse into one. */
export function inboxEntry(webhook: InboundWebhook) {
  return {
    webhookId: `${webhook.provider}#${webhook.body.id}`,
    provider: webhook.provider,
    eventType: webhook.body.type,
    receivedAt: new Date(Number(webhook.receivedAt)).toISOString(),
    // Text, not a document: DynamoDB cannot hold every JSON value (integers beyond 2^53, 5e-324, empty
    // member names, nesting past 32 levels), and the inbox must keep every webhook it acknowledged.
    payload: webhook.rawBody,
  };
}
