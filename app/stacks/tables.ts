import type { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';

/** A service's own table: string keys, on-demand, PITR, encryption, optionally a stream or a fixed name. */
export function serviceTable(
  scope: Construct,
  id: string,
  options: {
    readonly partitionKey: string;
    readonly sortKey?: string;
    readonly stream?: dynamodb.StreamViewType;
    readonly tableName?: string;
    readonly removalPolicy: RemovalPolicy;
  },
): dynamodb.TableV2 {
  return new dynamodb.TableV2(scope, id, {
    tableName: options.tableName,
    partitionKey: { name: options.partitionKey, type: dynamodb.AttributeType.STRING },
    sortKey: options.sortKey ? { name: options.sortKey, type: dynamodb.AttributeType.STRING } : undefined,
    billing: dynamodb.Billing.onDemand(),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
    dynamoStream: options.stream,
    removalPolicy: options.removalPolicy,
  });
}
