import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../src/rate-limiter.js';
import { useDynamoDbLocal } from '../../../test/support/dynamodb.js';

describe('sliding-window rate limiter (DynamoDB Local)', () => {
  const ddb = useDynamoDbLocal();
  let take: ReturnType<typeof createRateLimiter>;
  /** Several independent clients, as separate Lambda instances would have. */
  let instances: ReturnType<typeof createRateLimiter>[];
  const limit = { limit: 10, windowSeconds: 60 };
  // The start of a window, so tests control where in the window they are.
  const windowStart = Math.ceil(Date.now() / 60_000) * 60_000 + 60_000 * 10;

  beforeAll(async () => {
    const table = await ddb.createTable('limits', 'pk');
    const client = () => DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: ddb.endpoint }));
    take = createRateLimiter(client(), table);
    instances = Array.from({ length: 4 }, () => createRateLimiter(client(), table));
  });

  it('admits exactly the limit of concurrent requests across instances, each with a distinct remaining count', async () => {
    const key = `client:${randomUUID()}`;
    const decisions = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (instances[i % instances.length] ?? take)(key, limit, windowStart + 1_000),
      ),
    );
    const admitted = decisions.filter((d) => d.allowed);
    expect(admitted).toHaveLength(10);
    expect(admitted.map((d) => d.remaining).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const denied of decisions.filter((d) => !d.allowed)) {
      expect(denied.remaining).toBe(0);
      expect(denied.retryAfter).toBeGreaterThanOrEqual(1);
      expect(denied.reset).toBe((windowStart + 60_000) / 1000);
    }
  });

  it('counts clients separately', async () => {
    const [a, b] = [`client:${randomUUID()}`, `client:${randomUUID()}`];
    for (let i = 0; i < 10; i += 1) await take(a, limit, windowStart);
    expect((await take(a, limit, windowStart)).allowed).toBe(false);
    expect((await take(b, limit, windowStart)).allowed).toBe(true);
  });

  it('weighs the previous window by how much of it still overlaps the sliding window', async () => {
    const key = `client:${randomUUID()}`;
    // 10 requests late in one window fill it.
    for (let i = 0; i < 10; i += 1) expect((await take(key, limit, windowStart + 59_000)).allowed).toBe(true);
    // A quarter into the next window, 10 × 0.75 = 7.5 still count: ⌊10 − 7.5⌋ = 2 more are admitted.
    const quarter = windowStart + 60_000 + 15_000;
    const early = await Promise.all(Array.from({ length: 4 }, () => take(key, limit, quarter)));
    expect(early.filter((d) => d.allowed)).toHaveLength(2);
    // The denied ones are told to come back when enough of the old window has slid out: at 30 % (3 of the
    // old 10 gone, so ⌊10 − 7⌋ = 3 > 2 used), i.e. 3 s after the quarter mark.
    const denied = early.find((d) => !d.allowed);
    expect(denied?.retryAfter).toBe(3);
    expect((await take(key, limit, quarter + 3_000)).allowed).toBe(true);
  });

  it('tells a client who filled the window to wait for the next one', async () => {
    const key = `client:${randomUUID()}`;
    for (let i = 0; i < 10; i += 1) await take(key, limit, windowStart + 10_000);
    const denied = await take(key, limit, windowStart + 10_000);
    expect(denied.allowed).toBe(false);
    // 50 s to the window's end, then 10 % into the next so that ⌊10 − 10 × 0.9⌋ = 1 is admitted.
    expect(denied.retryAfter).toBe(56);
  });
});
