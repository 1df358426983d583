export * from './queue-consumer';
