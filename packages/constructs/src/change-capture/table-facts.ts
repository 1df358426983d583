import { Stack, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';

/** What a table's template says about it, when the table was made in this app (else every field is absent). */
export interface TableFacts {
  /** The key schema's attribute names, partition key first. */
  readonly keyAttributes?: string[];
  /** The DynamoDB stream's view type, or `'none'` when the table has no stream. */
  readonly streamViewType?: string;
  /** The Kinesis streaming destinations' ARNs, each as resolved JSON, for comparing with another reference. */
  readonly kinesisStreamArns?: string[];
}

interface KeyElement {
  readonly attributeName?: unknown;
  readonly keyType?: unknown;
}

/** Reads the key schema, stream view type and Kinesis destinations of a `Table` or `TableV2` from its L1. */
export function tableFacts(table: dynamodb.ITable): TableFacts {
  const cfn = table.node.defaultChild;
  if (!(cfn instanceof dynamodb.CfnTable) && !(cfn instanceof dynamodb.CfnGlobalTable)) return {};
  const stack = Stack.of(cfn);
  // TableV2 fills its L1 lazily; resolving gives the plain values (tokens of other resources stay objects).
  const resolved = (value: unknown): unknown => stack.resolve(value);

  const keySchema = resolved(cfn.keySchema);
  const keyAttributes = Array.isArray(keySchema)
    ? [...(keySchema as KeyElement[])]
        .sort((a, b) => (a.keyType === 'HASH' ? -1 : b.keyType === 'HASH' ? 1 : 0))
        .map((k) => k.attributeName)
    : undefined;

  const stream = resolved(cfn.streamSpecification) as { streamViewType?: unknown } | undefined;
  const streamViewType =
    stream === undefined
      ? 'none'
      : typeof stream.streamViewType === 'string' && !Token.isUnresolved(stream.streamViewType)
        ? stream.streamViewType
        : undefined;

  const destinations =
    cfn instanceof dynamodb.CfnTable
      ? [resolved(cfn.kinesisStreamSpecification)]
      : (() => {
          const replicas = resolved(cfn.replicas);
          return Array.isArray(replicas)
            ? replicas.map((r) => (r as { kinesisStreamSpecification?: unknown }).kinesisStreamSpecification)
            : undefined;
        })();
  const kinesisStreamArns = destinations
    ?.filter((d): d is { streamArn: unknown } => typeof d === 'object' && d !== null && 'streamArn' in d)
    .map((d) => JSON.stringify(d.streamArn));

  return {
    keyAttributes: keyAttributes?.every((k): k is string => typeof k === 'string' && !Token.isUnresolved(k))
      ? keyAttributes
      : undefined,
    streamViewType,
    kinesisStreamArns,
  };
}
