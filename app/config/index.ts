export * from './api-config';
export * from './conflux-config';
export * from './replication-config';
