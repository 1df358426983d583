export * from './event-stream.js';
export * from './event-stream-consumer.js';
