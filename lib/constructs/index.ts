export * from './fan-out-topic';
export * from './idempotency-table';
export * from './queue-consumer';
export * from './queue-with-dlq';
export * from './secure-rest-api';
export * from './event-store';
export * from './projection';
export * from './saga';
