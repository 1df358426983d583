export * from './idempotency-table';
