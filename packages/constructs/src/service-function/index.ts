export * from './service-function.js';
