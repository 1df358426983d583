export * from './raw-zone.js';
export * from './raw-zone-source.js';
