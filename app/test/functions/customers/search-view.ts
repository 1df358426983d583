import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';

/** Creates a search view table as the Customers construct declares it, on DynamoDB Local; returns its name. */
export async function createSearchTable(endpoint: string): Promise<string> {
  const name = `customer-search-${randomUUID().slice(0, 8)}`;
  const client = new DynamoDBClient({ endpoint });
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'customerId', AttributeType: 'S' },
        { AttributeName: 'entry', AttributeType: 'S' },
        { AttributeName: 'term', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'customerId', KeyType: 'HASH' },
        { AttributeName: 'entry', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byTerm',
          KeySchema: [
            { AttributeName: 'term', KeyType: 'HASH' },
            { AttributeName: 'customerId', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['name', 'email', 'phone'] },
        },
      ],
    }),
  );
  client.destroy();
  return name;
}

/** Reads a search view table: a customer's items, and the customers found by a term. */
export function searchViewReader(endpoint: string, table: string) {
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint }));
  return {
    /** Every item of one customer (its row and term items), by sort key. */
    async itemsOf(customerId: string): Promise<Record<string, unknown>[]> {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'customerId = :c',
            ExpressionAttributeValues: { ':c': customerId },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },
    /** The ids of the customers the index finds by `term`. */
    async idsByTerm(term: string): Promise<string[]> {
      const { Items } = await documents.send(
        new QueryCommand({
          TableName: table,
          IndexName: 'byTerm',
          KeyConditionExpression: 'term = :t',
          ExpressionAttributeValues: { ':t': term },
        }),
      );
      return (Items ?? []).map((i) => String(i.customerId)).sort();
    },
  };
}
