import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * One logger and one metrics emitter per function, created at module load. Service name and namespace come
 * from `POWERTOOLS_SERVICE_NAME` and `POWERTOOLS_METRICS_NAMESPACE`, set by the construct.
 *
 * There is no tracer: the functions run with Lambda's active tracing, which records each invocation's
 * segment without code. Powertools' tracer (the X-Ray SDK) would add subsegments per AWS call at the cost of
 * about 105 KiB per bundle and 15–20 ms of cold start; a function that needs them can create its own.
 */
export const logger = new Logger();
/** Embedded-metric-format emitter; handlers publish it at the end of each invocation. */
export const metrics = new Metrics();
