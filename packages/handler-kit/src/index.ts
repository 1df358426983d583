/**
 * `@conflux/handler-kit`: the parts every Conflux Lambda handler shares. Generic only: no application
 * schemas, no application names. Each module is side-effect free until used, so a bundler keeps only
 * what a handler imports.
 */
export * from './clients.js';
export * from './env.js';
export * from './errors.js';
export * from './event-store-clients.js';
export * from './http.js';
export * from './idempotency.js';
export * from './powertools.js';
export * from './projection.js';
export * from './rate-limiter.js';
export * from './schemas.js';
export * from './sqs-batch.js';
export * from './events.js';
