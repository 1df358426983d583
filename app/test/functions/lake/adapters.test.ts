import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanChangedCustomers } from '../../../functions/lake/adapters';
import { CustomerExtractError, type CustomerItem } from '../../../functions/lake/domain';
import { useDynamoDbLocal } from '../../../../test/support/dynamodb';
import { customerItem, window } from './fixtures';

describe('the extract scan of the customers table (DynamoDB Local)', () => {
  const ddb = useDynamoDbLocal();
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: ddb.endpoint }));
  let tableName: string;
  const night = window('2026-12-01T02:00:00.000Z', '2026-12-02T02:00:00.000Z');
  const id = (n: number) => `0b7f9a52-3c1e-4d8a-9f00-${String(n).padStart(12, '0')}`;

  beforeAll(async () => {
    tableName = await ddb.createTable('lake-customers', 'customerId');
    // 30 customers: every third changed before the window, every third after it, the rest inside.
    for (let n = 0; n < 30; n += 1) {
      const updatedAt = [
        '2026-12-01T02:00:00.000Z', // on `from`: the previous window's
        `2026-12-01T${String(3 + (n % 20)).padStart(2, '0')}:00:00.000Z`,
        '2026-12-02T02:00:00.001Z', // just after `to`: the next window's
      ][n % 3];
      await documents.send(
        new PutCommand({ TableName: tableName, Item: customerItem({ customerId: id(n), updatedAt }) }),
      );
    }
    await documents.send(
      new PutCommand({
        TableName: tableName,
        Item: customerItem({ customerId: id(99), updatedAt: night.to }),
      }),
    );
  });
  afterAll(() => {
    documents.destroy();
  });

  const collect = async (items: AsyncIterable<CustomerItem>) => {
    const out: CustomerItem[] = [];
    for await (const item of items) out.push(item);
    return out;
  };

  it('yields each customer changed in the window once, across parallel segments and pages', async () => {
    // GIVEN the table above, scanned in 3 segments of 4-item pages
    const scan = { documents, tableName, segments: 3, pageSize: 4 };
    // WHEN the window is extracted
    const items = await collect(scanChangedCustomers(scan, night));
    // THEN exactly the 10 inside and the one on `to` are yielded, each once
    const expected = [...Array.from({ length: 10 }, (_, i) => id(3 * i + 1)), id(99)].sort();
    expect(items.map((i) => i.customerId).sort()).toEqual(expected);
  });

  it('yields the same customers whatever the segment count', async () => {
    // GIVEN one segment and eight
    const ids = async (segments: number) =>
      (await collect(scanChangedCustomers({ documents, tableName, segments }, night)))
        .map((i) => i.customerId)
        .sort();
    // THEN both see the same items
    expect(await ids(1)).toEqual(await ids(8));
  });

  it('reads nothing for an empty window', async () => {
    const empty = window(night.to, night.to);
    expect(await collect(scanChangedCustomers({ documents, tableName, segments: 2 }, empty))).toEqual([]);
  });

  it('fails with a named error for a segment count below 1', async () => {
    await expect(collect(scanChangedCustomers({ documents, tableName, segments: 0 }, night))).rejects.toThrow(
      CustomerExtractError,
    );
  });
});
