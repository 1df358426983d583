import { requireEnv } from '@conflux/handler-kit';
import { createCdcProcessor, type CdcSource } from '@conflux/handler-kit/cdc';

/** A variable that must be one of `allowed`, read at load so a misconfigured function fails at cold start. */
function oneOf<T extends string>(name: string, allowed: readonly T[], fallback?: T): T {
  const value = process.env[name] === undefined && fallback !== undefined ? fallback : requireEnv(name);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Error(
      `Environment variable ${name} is ${JSON.stringify(value)}: it must be one of ${allowed.join(', ')}.`,
    );
  }
  return value as T;
}

const keyAttributes = requireEnv('CDC_KEY_ATTRIBUTES')
  .split(',')
  .map((name) => name.trim())
  .filter((name) => name !== '');

/**
 * The CDC processor of a `ChangeCapture`: the table's changes (its DynamoDB stream, or its Kinesis Data
 * Streams for DynamoDB destination) as Debezium change events on the capture's event stream.
 */
export const handler = createCdcProcessor({
  source: oneOf<CdcSource>('CDC_SOURCE', ['dynamodb-stream', 'kinesis']),
  streamName: requireEnv('CDC_STREAM_NAME'),
  capture: {
    serverName: requireEnv('CDC_SERVER_NAME'),
    db: requireEnv('CDC_DB'),
    table: requireEnv('CDC_TABLE'),
    keyAttributes,
    tombstonesOnDelete: oneOf('CDC_TOMBSTONES', ['true', 'false'], 'true') === 'true',
    transactionMetadata: oneOf('CDC_TRANSACTION_METADATA', ['true', 'false'], 'false') === 'true',
  },
});
