// Request bodies of the catalog API: the gateway models are generated from these, the handler parses with them.
import * as z from 'zod/mini';

export const SKU = /^[A-Z0-9][A-Z0-9-]{1,31}$/;
export const CATEGORY_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;

/** `PUT /v1/categories/{categoryId}` */
export const PutCategory = z.strictObject({ name: z.string().check(z.minLength(1), z.maxLength(80)) });

/** `PUT /v1/products/{sku}` */
export const PutProduct = z.strictObject({
  name: z.string().check(z.minLength(1), z.maxLength(120)),
  categoryId: z.string().check(z.regex(CATEGORY_ID, 'must be a category id such as kitchen-tools')),
  priceMinor: z.number().check(z.int(), z.minimum(0), z.maximum(100_000_000)),
});

/** `POST /v1/products/{sku}/reviews`: one review per reviewer and product; a second replaces the first. */
export const PostReview = z.strictObject({
  rating: z.number().check(z.int(), z.minimum(1), z.maximum(5)),
  comment: z.optional(z.string().check(z.maxLength(2_000))),
});
