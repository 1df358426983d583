export * from './change-capture.js';
