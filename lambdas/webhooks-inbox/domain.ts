import * as z from 'zod';
import { WEBHOOK_PROVIDERS, WebhookBody } from './contract';

/** A webhook as the queue delivers it: the body the provider sent, and what the gateway added. */
export const InboundWebhook = z.object({
  provider: z.enum(WEBHOOK_PROVIDERS, { message: `must be one of ${WEBHOOK_PROVIDERS.join(', ')}` }),
  receivedAt: z.string().regex(/^\d{13}$/, 'must be epoch milliseconds'),
  body: WebhookBody,
});
export type InboundWebhook = z.infer<typeof InboundWebhook>;

/** The inbox row of a webhook: one per provider event id, so a provider's retries collapse into one. */
export function inboxEntry(webhook: InboundWebhook) {
  return {
    webhookId: `${webhook.provider}#${webhook.body.id}`,
    provider: webhook.provider,
    eventType: webhook.body.type,
    receivedAt: new Date(Number(webhook.receivedAt)).toISOString(),
    payload: webhook.body,
  };
}
