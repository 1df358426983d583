// Request bodies of the accounts API: the gateway models are generated from these, the handler parses with them.
import * as z from 'zod/mini';

const amountMinor = z.number().check(z.int(), z.minimum(1), z.maximum(100_000_000_00));

/** `POST /v1/accounts` */
export const OpenAccount = z.strictObject({ currency: z.enum(['EUR', 'USD', 'GBP']) });
/** `POST /v1/accounts/{accountId}/deposits` and `/withdrawals`: an amount in minor units (cents). */
export const Movement = z.strictObject({ amountMinor });
