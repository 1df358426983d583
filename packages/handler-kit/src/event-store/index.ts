export * from './store.js';
export * from './types.js';
export * from './upcasting.js';
