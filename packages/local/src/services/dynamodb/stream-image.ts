import type { AttributeValue } from '@aws-sdk/client-dynamodb-streams';

/**
 * An item image of a stream record in DynamoDB JSON as Lambda and Kinesis Data Streams for DynamoDB send
 * it: attribute values as the API types them, binary as base64.
 */
export function streamImage(
  item: Record<string, AttributeValue> | undefined,
): Record<string, unknown> | undefined {
  if (!item) return undefined;
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, attribute(v)]));
}

function attribute(v: AttributeValue): unknown {
  if (v.B !== undefined) return { B: Buffer.from(v.B).toString('base64') };
  if (v.BS !== undefined) return { BS: v.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (v.M !== undefined) return { M: streamImage(v.M) };
  if (v.L !== undefined) return { L: v.L.map(attribute) };
  return v;
}
