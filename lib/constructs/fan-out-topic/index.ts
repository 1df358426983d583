export * from './fan-out-topic';
