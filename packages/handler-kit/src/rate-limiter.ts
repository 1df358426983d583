import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** A limit: `limit` requests per client in any window of `windowSeconds`. */
export interface RateLimit {
  readonly limit: number;
  readonly windowSeconds: number;
}

/** The limiter's verdict, with what the `X-RateLimit-*` and `Retry-After` headers say. */
export interface RateLimitDecision {
  readonly allowed: boolean;
  readonly limit: number;
  /** Requests still allowed now (0 when denied). */
  readonly remaining: number;
  /** When the current fixed window ends, in Unix epoch seconds. */
  readonly reset: number;
  /** Seconds until a request would be allowed; only when denied. */
  readonly retryAfter?: number;
}

/**
 * A sliding-window counter in DynamoDB (the approximation Cloudflare describes): one counter item per
 * client per fixed window; a request is allowed when
 *
 *   previousWindowCount × (1 − elapsedFractionOfCurrentWindow) + currentWindowCount < limit.
 *
 * The previous window is closed, so it is read once; the current window's counter is incremented by a
 * single conditional `UpdateItem` (`ADD n 1` only if `n < allowedNow`), so concurrent Lambda instances can
 * never admit more than the limit between them and no read-modify-write race exists. A denied request
 * writes nothing. Counter items carry a TTL of two windows.
 */
export function createRateLimiter(documents: DynamoDBDocumentClient, tableName: string) {
  const counterOf = async (pk: string): Promise<number> => {
    const { Item } = await documents.send(
      new GetCommand({ TableName: tableName, Key: { pk }, ConsistentRead: true }),
    );
    return typeof Item?.n === 'number' ? Item.n : 0;
  };

  return async function take(
    clientKey: string,
    { limit, windowSeconds }: RateLimit,
    nowMs = Date.now(),
  ): Promise<RateLimitDecision> {
    const window = windowSeconds * 1000;
    const start = Math.floor(nowMs / window) * window;
    const reset = (start + window) / 1000;
    const elapsed = (nowMs - start) / window;
    const previous = await counterOf(`${clientKey}#${start - window}`);
    const allowedNow = Math.floor(limit - previous * (1 - elapsed));
    const deny = (current: number): RateLimitDecision => ({
      allowed: false,
      limit,
      remaining: 0,
      reset,
      retryAfter: retryAfterSeconds({ limit, window, start, nowMs, previous, current }),
    });
    if (allowedNow <= 0) return deny(0);
    try {
      const { Attributes } = await documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: `${clientKey}#${start}` },
          UpdateExpression: 'ADD n :one SET expiresAt = if_not_exists(expiresAt, :expires)',
          ConditionExpression: 'attribute_not_exists(n) OR n < :allowed',
          ExpressionAttributeValues: {
            ':one': 1,
            ':allowed': allowedNow,
            ':expires': Math.ceil((start + 2 * window) / 1000),
          },
          ReturnValues: 'UPDATED_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      const count = typeof Attributes?.n === 'number' ? Attributes.n : allowedNow;
      return { allowed: true, limit, remaining: Math.max(0, allowedNow - count), reset };
    } catch (error: unknown) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const old = error.Item?.n;
      return deny(old?.N !== undefined ? Number(old.N) : allowedNow);
    }
  };
}

/**
 * Seconds until a request would be admitted, i.e. until ⌊limit − previous × (1 − e)⌋ > current: while the
 * previous window still weighs, when its share has decayed enough; otherwise in the next window, where the
 * current count becomes the previous one and must decay in turn.
 */
function retryAfterSeconds(w: {
  limit: number;
  window: number;
  start: number;
  nowMs: number;
  previous: number;
  current: number;
}): number {
  const { limit, window, start, nowMs, previous, current } = w;
  const within = previous > 0 && current < limit ? 1 - (limit - current - 1) / previous : Infinity;
  const at =
    within <= 1
      ? start + window * within
      : start + window + window * Math.max(0, 1 - (limit - 1) / Math.max(current, 1));
  return Math.max(1, Math.ceil((at - nowMs) / 1000));
}
