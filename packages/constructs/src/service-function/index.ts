export * from './service-function.js';
export * from './bundler.js';
