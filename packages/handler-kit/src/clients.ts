import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The DynamoDB clients, created once per execution environment. The endpoint comes from the SDK's own
 * `AWS_ENDPOINT_URL_DYNAMODB` when set (the offline runtime and tests), else the regional endpoint.
 */
export const dynamodb = new DynamoDBClient({});
/** Document client over {@link dynamodb}: plain JavaScript values in and out. */
export const documents = DynamoDBDocumentClient.from(dynamodb, {
  marshallOptions: { removeUndefinedValues: true },
});
