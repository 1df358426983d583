export * from './api-config';
export * from './conflux-config';
