// The orders API's request bodies: the handler validates with these and the gateway's JSON Schema models are
// generated from them at synth (`z.toJSONSchema`, draft-04), so the two cannot drift.
import * as z from 'zod/mini';

const sku = z
  .string()
  .check(z.regex(/^[A-Z0-9][A-Z0-9-]{1,31}$/, 'must be 2–32 of A–Z, 0–9 and "-", e.g. SKU-123'));
const quantity = z.number().check(z.int(), z.minimum(1), z.maximum(100));
const region = z.enum(['eu', 'us', 'apac']);
const customerId = z
  .string()
  .check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 of letters, digits, _ and -'));

/** `POST /v1/orders` (deprecated): one SKU per order, the region as a bare field. */
export const CreateOrderV1 = z.strictObject({
  customerId,
  sku,
  quantity,
  shippingRegion: region,
});
export type CreateOrderV1 = z.infer<typeof CreateOrderV1>;

/** `POST /v2/orders`: several lines per order and a structured shipping address. */
export const CreateOrderV2 = z.strictObject({
  customerId,
  items: z.array(z.strictObject({ sku, quantity })).check(z.minLength(1), z.maxLength(50)),
  shipTo: z.strictObject({
    region,
    postcode: z
      .string()
      .check(z.regex(/^[A-Za-z0-9 -]{2,12}$/, 'must be 2–12 letters, digits, spaces or "-"')),
  }),
});
export type CreateOrderV2 = z.infer<typeof CreateOrderV2>;
