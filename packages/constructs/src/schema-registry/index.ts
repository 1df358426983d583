export * from './event-schema-registry.js';
