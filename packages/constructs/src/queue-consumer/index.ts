export * from './queue-consumer.js';
