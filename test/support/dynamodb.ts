import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';

/**
 * Points the SDK (and so the handlers) at the run's DynamoDB Local, and returns helpers to make and read
 * uniquely named tables there.
 */
export function useDynamoDbLocal() {
  const endpoint = inject('dynamodbEndpoint');
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  const client = new DynamoDBClient({ endpoint });
  const documents = DynamoDBDocumentClient.from(client);

  return {
    endpoint,
    /** Creates an on-demand table keyed by a string `partitionKey` and returns its name. */
    async createTable(prefix: string, partitionKey: string): Promise<string> {
      const name = `${prefix}-${randomUUID().slice(0, 8)}`;
      await client.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: partitionKey, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }],
        }),
      );
      return name;
    },
    async get(table: string, key: Record<string, string>): Promise<Record<string, unknown> | undefined> {
      return (await documents.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true })))
        .Item;
    },
    async scan(table: string): Promise<Record<string, unknown>[]> {
      return (await documents.send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ?? [];
    },
  };
}
