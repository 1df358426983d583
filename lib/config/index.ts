export * from './conflux-config';
