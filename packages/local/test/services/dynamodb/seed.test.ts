import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { applySeed } from '../../../src/services/dynamodb/seed.js';
import { useDynamoDbLocal } from '../../../../../test/support/dynamodb.js';

describe('applySeed', () => {
  const ddb = useDynamoDbLocal();
  const file = (content: unknown) => {
    const p = path.join(mkdtempSync(path.join(tmpdir(), 'seed-')), 'seed.json');
    writeFileSync(p, JSON.stringify(content));
    return p;
  };

  it('writes each table’s items into the one table whose name ends with -<key>', async () => {
    const table = await ddb.createTable('app-stock', 'sku');
    const client = new DynamoDBClient({ endpoint: ddb.endpoint });
    const items = Array.from({ length: 30 }, (_, i) => ({ sku: `S${i}`, available: i }));
    const applied = await applySeed(
      client,
      { StockTable: table, Topic: 'arn:aws:sns:x:y:z-stock' },
      file({ tables: { [table.split('-').pop() ?? '']: items } }),
    );
    expect(Object.values(applied)).toEqual([30]);
    expect(await ddb.get(table, { sku: 'S29' })).toEqual({ sku: 'S29', available: 29 });
  });

  it('names the key when no table, or more than one, matches', async () => {
    const client = new DynamoDBClient({ endpoint: ddb.endpoint });
    await expect(applySeed(client, { A: 'x-orders' }, file({ tables: { stock: [] } }))).rejects.toThrow(
      /seed table "stock" must match exactly one table named "…-stock"; found none/,
    );
    await expect(
      applySeed(client, { A: 'a-stock', B: 'b-stock' }, file({ tables: { stock: [] } })),
    ).rejects.toThrow(/found a-stock, b-stock/);
  });
});
