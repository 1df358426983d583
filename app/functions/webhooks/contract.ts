// Bodies of the direct-integration routes (no Lambda in the path): the gateway validates them with models
// generated from these schemas, and the consumers parse with the same ones.
import * as z from 'zod/mini';

/** Providers whose webhooks Conflux accepts; the path parameter must be one of them. */
export const WEBHOOK_PROVIDERS = ['stripe', 'github', 'shopify'] as const;

/** `POST /v1/webhooks/{provider}`: providers add fields freely, so the object stays open. */
export const WebhookBody = z.looseObject({
  // Printable ASCII, as every provider's event ids and types are: the id becomes the inbox's key.
  id: z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(128),
      z.regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
    ),
  type: z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(128),
      z.regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
    ),
  data: z.record(z.string(), z.unknown()),
});
export type WebhookBody = z.infer<typeof WebhookBody>;

/** `POST /v1/telemetry`: one reading; `deviceId` is the stream's partition key. */
export const TelemetryReading = z.strictObject({
  deviceId: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 of letters, digits, _ and -')),
  metric: z.string().check(z.regex(/^[a-z][a-z0-9_.]{0,63}$/, 'must be a lower-case metric name')),
  value: z.number(),
  recordedAt: z.iso.datetime({ offset: true }),
});
export type TelemetryReading = z.infer<typeof TelemetryReading>;
