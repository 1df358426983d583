export * from './secure-rest-api.js';
