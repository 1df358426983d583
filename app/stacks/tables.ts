import type { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { replicatedTable, type TableReplication } from '@conflux/constructs';

/**
 * A service's own table: string keys, on-demand, PITR, encryption, optionally a stream, a fixed name, and
 * replicas in other Regions (`replicatedTable`: its mode checked at synth, a replication-latency alarm per
 * replica Region to `alarmTopic`).
 */
export function serviceTable(
  scope: Construct,
  id: string,
  options: {
    readonly partitionKey: string;
    readonly sortKey?: string;
    readonly stream?: dynamodb.StreamViewType;
    readonly tableName?: string;
    readonly removalPolicy: RemovalPolicy;
    readonly replication?: TableReplication;
    readonly alarmTopic?: sns.ITopic;
  },
): dynamodb.TableV2 {
  return replicatedTable(
    scope,
    id,
    {
      tableName: options.tableName,
      partitionKey: { name: options.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: options.sortKey ? { name: options.sortKey, type: dynamodb.AttributeType.STRING } : undefined,
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      dynamoStream: options.stream,
      removalPolicy: options.removalPolicy,
    },
    { replication: options.replication, alarmTopic: options.alarmTopic },
  );
}
