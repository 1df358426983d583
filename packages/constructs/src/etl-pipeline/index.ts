export * from './etl-pipeline.js';
export { scheduleExpressionProblem } from './validation.js';
export { LAMBDA_TRANSIENT_ERRORS } from './definition.js';
