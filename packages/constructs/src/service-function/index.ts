export * from './service-function.js';
export * from './bundler.js';
export * from './bundling.js';
