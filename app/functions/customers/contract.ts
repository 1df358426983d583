// Request bodies of the customers API: the gateway models are generated from these, the handler parses with them.
import * as z from 'zod/mini';

/** A customer id: what `POST /v1/customers` generates (a UUID). Anything else is not a customer. */
export const CUSTOMER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The search view's index from a term to the customers who have it. */
export const BY_TERM_INDEX = 'byTerm';

/** The longest search query, in characters. */
export const MAX_QUERY_LENGTH = 200;

/** Printable text with at least one non-space character: no control characters. */
// eslint-disable-next-line no-control-regex
const TEXT = /^[^\u0000-\u001f\u007f]*[^\s\u0000-\u001f\u007f][^\u0000-\u001f\u007f]*$/;

/** The body of `POST /v1/customers` and `PUT /v1/customers/{customerId}`. */
export const CustomerBody = z.strictObject({
  name: z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(120),
      z.regex(TEXT, 'must hold a non-space character and no control characters'),
    ),
  email: z.email('must be an e-mail address such as ada@example.com').check(z.maxLength(254)),
  phone: z.optional(
    z.string().check(z.regex(/^\+[1-9][0-9]{6,14}$/, 'must be an E.164 number such as +442079460958')),
  ),
});
export type CustomerBody = z.infer<typeof CustomerBody>;

/** `q` of `GET /v1/customers/search`: 1 to {@link MAX_QUERY_LENGTH} characters. */
export const SearchQuery = z
  .string()
  .check(z.minLength(1, 'must not be empty'), z.maxLength(MAX_QUERY_LENGTH));
