import { marshall } from '@aws-sdk/util-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import type { handler as Handler } from '../../../functions/catalog/projector.handler';
import { productView } from '../../../functions/catalog/domain';
import { useDynamoDbLocal } from '../../../../test/support/dynamodb';
import { lambdaContext } from '../../../../test/support/fixtures';

describe('productView', () => {
  it('joins the category name and averages the ratings to two decimals', () => {
    expect(
      productView({ sku: 'S', name: 'n', priceMinor: 1, categoryId: 'c' }, { name: 'Cat' }, [5, 4, 4]),
    ).toMatchObject({
      category: { id: 'c', name: 'Cat' },
      rating: { average: 4.33, count: 3 },
    });
    expect(productView({ sku: 'S', name: 'n', priceMinor: 1, categoryId: 'c' }, undefined, [])).toMatchObject(
      {
        category: { id: 'c', name: null },
        rating: { average: null, count: 0 },
      },
    );
  });
});

describe('catalog projector (DynamoDB Local)', () => {
  const ddb = useDynamoDbLocal();
  let handler: typeof Handler;
  let documents: DynamoDBDocumentClient;
  const tables = { categories: '', products: '', reviews: '', view: '' };
  let sequence = 0;
  const record = (item: Record<string, unknown>): DynamoDBRecord => {
    sequence += 1;
    return {
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      dynamodb: {
        NewImage: marshall(item) as never,
        SequenceNumber: String(sequence),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };
  };

  beforeAll(async () => {
    const client = new DynamoDBClient({ endpoint: ddb.endpoint });
    documents = DynamoDBDocumentClient.from(client);
    tables.categories = await ddb.createTable('categories', 'categoryId');
    tables.view = await ddb.createTable('product-view', 'sku');
    tables.products = `products-${sequence}-${Date.now()}`;
    await client.send(
      new CreateTableCommand({
        TableName: tables.products,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'sku', AttributeType: 'S' },
          { AttributeName: 'categoryId', AttributeType: 'S' },
        ],
        KeySchema: [{ AttributeName: 'sku', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byCategory',
            KeySchema: [{ AttributeName: 'categoryId', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
        ],
      }),
    );
    tables.reviews = `reviews-${Date.now()}`;
    await client.send(
      new CreateTableCommand({
        TableName: tables.reviews,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'sku', AttributeType: 'S' },
          { AttributeName: 'reviewer', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'sku', KeyType: 'HASH' },
          { AttributeName: 'reviewer', KeyType: 'RANGE' },
        ],
      }),
    );
    Object.assign(process.env, {
      CATEGORIES_TABLE_NAME: tables.categories,
      PRODUCTS_TABLE_NAME: tables.products,
      REVIEWS_TABLE_NAME: tables.reviews,
      PRODUCT_VIEW_TABLE_NAME: tables.view,
    });
    ({ handler } = await import('../../../functions/catalog/projector.handler'));
  });

  it('converges on the same view however often and in whatever order the changes arrive', async () => {
    const category = { categoryId: 'garden', name: 'Garden' };
    const product = { sku: 'SKU-RAKE', name: 'Rake', categoryId: 'garden', priceMinor: 1500 };
    const reviews = [
      { sku: 'SKU-RAKE', reviewer: 'a', rating: 5 },
      { sku: 'SKU-RAKE', reviewer: 'b', rating: 2 },
    ];
    for (const [TableName, Item] of [
      [tables.categories, category],
      [tables.products, product],
      ...reviews.map((r) => [tables.reviews, r] as const),
    ] as const) {
      await documents.send(new PutCommand({ TableName, Item }));
    }
    const records = [record(reviews[0] ?? {}), record(product), record(category), record(reviews[1] ?? {})];
    const once = await handler({ Records: records }, lambdaContext());
    const first = await ddb.get(tables.view, { sku: 'SKU-RAKE' });
    const again = await handler({ Records: [...records].reverse().concat(records) }, lambdaContext());
    expect(once.batchItemFailures).toEqual([]);
    expect(again.batchItemFailures).toEqual([]);
    expect(await ddb.get(tables.view, { sku: 'SKU-RAKE' })).toEqual(first);
    expect(first).toMatchObject({ category: { name: 'Garden' }, rating: { average: 3.5, count: 2 } });
  });
});
