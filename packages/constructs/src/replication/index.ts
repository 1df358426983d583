export * from './region-sets.js';
export * from './table-replication.js';
export * from './replicated-table.js';
