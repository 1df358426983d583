import { describe, expect, it } from 'vitest';
import {
  ENGINE_ACCESS_KEY,
  EngineLink,
  rewriteAccessKey,
  signedRegion,
} from '../../../src/services/dynamodb/engine-link.js';
import { KeyLocks } from '../../../src/services/dynamodb/key-locks.js';
import { Replicator } from '../../../src/services/dynamodb/replication.js';

const AUTHORIZATION =
  'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-west-2/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc';

describe('the DynamoDB router’s pieces', () => {
  it('reads the Region a request is signed for from its SigV4 credential', () => {
    expect(signedRegion(AUTHORIZATION)).toBe('eu-west-2');
    expect(signedRegion(undefined)).toBeUndefined();
    expect(signedRegion('Bearer token')).toBeUndefined();
  });

  it('replaces the access key alone, keeping date, Region, service and signature', () => {
    expect(rewriteAccessKey(AUTHORIZATION)).toBe(
      `AWS4-HMAC-SHA256 Credential=${ENGINE_ACCESS_KEY}/20260101/eu-west-2/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`,
    );
  });

  it('versions writes with a clock that strictly increases, even within one millisecond', () => {
    // GIVEN
    const replicator = new Replicator(new EngineLink('http://127.0.0.1:9'), 'us-east-1', 500, 30);
    // WHEN
    const versions = Array.from({ length: 1000 }, () => replicator.tick());
    // THEN
    expect(versions.every((v, i) => i === 0 || v > (versions[i - 1] ?? Infinity))).toBe(true);
    replicator.close();
  });

  it('serializes the holders of one lock and takes several in one order, so two callers cannot deadlock', async () => {
    // GIVEN
    const locks = new KeyLocks();
    const order: string[] = [];
    const hold = (names: string[], label: string) =>
      locks.run(names, async () => {
        order.push(`${label} in`);
        await new Promise((resolve) => setTimeout(resolve, 10));
        order.push(`${label} out`);
      });
    // WHEN: opposite orders of the same two locks, at once
    await Promise.all([hold(['a', 'b'], 'first'), hold(['b', 'a'], 'second')]);
    // THEN
    expect(order).toEqual(['first in', 'first out', 'second in', 'second out']);
  });
});
