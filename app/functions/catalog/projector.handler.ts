import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { documents } from '@conflux/handler-kit';
import { requireEnv } from '@conflux/handler-kit';
import { productView } from './domain';

const categories = requireEnv('CATEGORIES_TABLE_NAME');
const products = requireEnv('PRODUCTS_TABLE_NAME');
const reviews = requireEnv('REVIEWS_TABLE_NAME');
const view = requireEnv('PRODUCT_VIEW_TABLE_NAME');

async function queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: QueryCommandInput['ExclusiveStartKey'];
  do {
    const page = await documents.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Recomputes one product's view from the write tables (or removes it when the product is gone). */
async function refresh(sku: string): Promise<void> {
  const { Item: product } = await documents.send(
    new GetCommand({ TableName: products, Key: { sku }, ConsistentRead: true }),
  );
  if (!product) {
    await documents.send(new DeleteCommand({ TableName: view, Key: { sku } }));
    return;
  }
  const categoryId = product.categoryId as string;
  const [{ Item: category }, ratings] = await Promise.all([
    documents.send(new GetCommand({ TableName: categories, Key: { categoryId }, ConsistentRead: true })),
    queryAll({
      TableName: reviews,
      KeyConditionExpression: 'sku = :s',
      ExpressionAttributeValues: { ':s': sku },
      ProjectionExpression: 'rating',
      ConsistentRead: true,
    }),
  ]);
  await documents.send(
    new PutCommand({
      TableName: view,
      Item: productView(
        product as { sku: string; name: string; priceMinor: number; categoryId: string },
        category as { name: string } | undefined,
        ratings.map((r) => Number(r.rating)),
      ),
    }),
  );
}

/** The products a change touches: its own sku, or every product of a renamed category. */
async function affected(record: DynamoDBRecord): Promise<string[]> {
  const image = record.dynamodb?.NewImage ?? record.dynamodb?.Keys;
  if (!image) return [];
  const item = unmarshall(image as Record<string, AttributeValue>);
  if (typeof item.sku === 'string') return [item.sku];
  if (typeof item.categoryId === 'string') {
    const rows = await queryAll({
      TableName: products,
      IndexName: 'byCategory',
      KeyConditionExpression: 'categoryId = :c',
      ExpressionAttributeValues: { ':c': item.categoryId },
      ProjectionExpression: 'sku',
    });
    return rows.map((r) => String(r.sku));
  }
  return [];
}

/**
 * The catalog projection: every change to a category, product or review recomputes the views it touches
 * from the write tables. Recomputing from the sources (never incrementing) makes duplicates, redeliveries
 * and any order of the three streams converge on the same view.
 */
export const handler = async (event: DynamoDBStreamEvent, context: Context) =>
  processPartialResponse(
    event,
    async (record: DynamoDBRecord) => {
      for (const sku of await affected(record)) await refresh(sku);
    },
    new BatchProcessor(EventType.DynamoDBStreams),
    { context, processInParallel: false, throwOnFullBatchFailure: false },
  );
