import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { NumberValueImpl, unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue as StreamAttributeValue } from 'aws-lambda';

/**
 * A number as JSON can carry it: a JavaScript number when that holds it exactly (every safe integer, every
 * fraction), else its decimal text, as Debezium's `decimal.handling.mode=string` does for what a double
 * cannot hold.
 */
function jsonNumber(text: string): number | string {
  const value = Number(text);
  if (!Number.isFinite(value)) return text;
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) return text;
  return value;
}

/**
 * A DynamoDB image (stream record or Kinesis Data Streams for DynamoDB JSON) as plain JSON: numbers as
 * numbers (or text, see above), sets as arrays, binary as base64 (as the stream already writes it).
 */
export function imageToJson(
  image: Record<string, StreamAttributeValue> | Record<string, AttributeValue>,
): Record<string, unknown> {
  return toPlainJson(
    unmarshall(image as Record<string, AttributeValue>, { wrapNumbers: jsonNumber }),
  ) as Record<string, unknown>;
}

/**
 * Any item value as plain JSON: `Set` to an array, bytes to base64, `bigint` and wrapped numbers to numbers
 * when exact, else text. Items from the document client (a snapshot's scan) pass through it too.
 */
export function toPlainJson(value: unknown): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return jsonNumber(value.toString());
    return value;
  }
  if (value instanceof Set) return [...(value as Set<unknown>)].map(toPlainJson);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(toPlainJson);
  // The document client's numbers read with `wrapNumbers: true`.
  if (value instanceof NumberValueImpl) return jsonNumber(value.value);
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) out[name] = toPlainJson(field);
  return out;
}
