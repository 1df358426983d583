export * from './secure-rest-api';
