/**
 * `@conflux/handler-kit/lake`: the lake's handler side. A Firehose transformation for the raw zone
 * (`createFirehoseTransformer`, `jsonLinesTransform`); the lake's object format (gzip JSON lines) and
 * idempotent writes; the ETL's windows and keys; pure cleansing helpers; and the ETL's three step handlers,
 * which do the staging I/O so an application writes only its extract read and its pure transform.
 */
export * from './cleansing.js';
export * from './events.js';
export * from './firehose.js';
export * from './json-lines.js';
export * from './objects.js';
export * from './steps.js';
export * from './window.js';
