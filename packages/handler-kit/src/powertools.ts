import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * One logger, one metrics emitter and one tracer per function, created at module load. Service name and
 * namespace come from `POWERTOOLS_SERVICE_NAME` and `POWERTOOLS_METRICS_NAMESPACE`, set by the construct.
 */
export const logger = new Logger();
/** Embedded-metric-format emitter; handlers publish it at the end of each invocation. */
export const metrics = new Metrics();
/** X-Ray tracer; it is a no-op outside Lambda or when `POWERTOOLS_TRACE_ENABLED=false`. */
export const tracer = new Tracer();
