// The fuzz suite's building blocks: the routes of a synthesized REST API, requests made from parts (each
// part normal or adversarial, each adversarial part tagged and, where the API contract says so, a reason
// the request must be refused), raw HTTP, the checks every answer must pass, and a log of distinct defects.

export { baselineParts } from './baseline';
export { checkAnswer, type Violation } from './checks';
export { send, type Answer } from './http';
export { jsonText, Raw, type Json } from './json';
export { DefectLog } from './log';
export type { FuzzContext, Parts, Reason } from './parts';
export { normalParts, partsFor, requestOf, type FuzzRequest } from './requests';
export { GATEWAY_BODY_LIMIT, routesOf, type FuzzRoute } from './routes';
export { valuesOf, type JsonSchema } from './schema';
