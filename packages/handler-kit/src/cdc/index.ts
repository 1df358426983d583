/**
 * `@conflux/handler-kit/cdc`: change data capture in Debezium's change-event format. A table's log
 * (its DynamoDB stream, or its Kinesis Data Streams for DynamoDB destination) becomes Debezium change events
 * on a Kinesis stream, as Debezium Server's Kinesis sink writes them; sinks read Conflux's events and
 * Debezium Server's with the same parser and stay idempotent by log position.
 */
export * from './apply.js';
export * from './consumer.js';
export * from './dynamodb-source.js';
export * from './envelope.js';
export * from './errors.js';
export * from './images.js';
export * from './kinesis-for-dynamodb.js';
export * from './parse.js';
export * from './processor.js';
export * from './put-records.js';
export * from './snapshot.js';
