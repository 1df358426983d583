export * from './queue-with-dlq.js';
