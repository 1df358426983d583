/**
 * The validate stage, as the method's request validator asks: its required parameters (query string,
 * header, path) must be present and not blank, then the body must match the method's model for its media
 * type (JSON Schema draft-04). A failure is a 400 whose `validationErrorString` the gateway response may show.
 */
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv-draft-04';
import type { Stage } from './chain.js';
import { byMediaType, mediaType } from './media-type.js';
import { FAILURES, type GatewayFailure } from '../failures.js';
import type { GatewayApi, RequestState } from '../types.js';

// ajv-draft-04 is CommonJS whose default export TypeScript types differently per module resolution; required,
// it is the class under every loader.
const Ajv = createRequire(import.meta.url)('ajv-draft-04') as new (options: {
  allErrors: boolean;
  strict: boolean;
  validateFormats: boolean;
}) => { compile(schema: object): ValidateFunction };

/** The validate stage of an API, with its models compiled; throws for a model that is no valid schema. */
export function validate(api: GatewayApi): Stage {
  // Formats are not checked: whether API Gateway's validator enforces `format` is unconfirmed, and the
  // models Conflux generates carry a `pattern` wherever a format matters.
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  const validators = new Map<string, ValidateFunction>();
  for (const [name, schema] of api.models) validators.set(name, ajv.compile(schema));
  return (state) => {
    const missing = missingParameters(state);
    if (missing.length > 0) return missingParametersFailure(missing);
    if (!state.method.validateBody) return undefined;
    const model =
      byMediaType(state.method.requestModels, mediaType(state.req)) ?? state.method.requestModels.$default;
    const validator = model === undefined ? undefined : validators.get(model);
    if (!validator) return undefined;
    let json: unknown;
    try {
      json = state.body === null ? {} : (JSON.parse(state.body) as unknown);
    } catch (error: unknown) {
      state.validationErrorString = error instanceof Error ? error.message : 'not JSON';
      return FAILURES.invalidBody;
    }
    if (validator(json)) return undefined;
    // AWS writes a bracketed list, e.g. `[object has missing required properties (["x"])]`.
    state.validationErrorString = `[${(validator.errors ?? [])
      .map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim())
      .join(', ')}]`;
    return FAILURES.invalidBody;
  };
}

function missingParametersFailure(names: readonly string[]): GatewayFailure {
  return {
    type: 'BAD_REQUEST_PARAMETERS',
    status: 400,
    message: `Missing required request parameters: [${names.join(', ')}]`,
    errorType: 'BadRequestException',
  };
}

/** The required parameters (`querystring.x`, `header.y`, `path.z`) the request lacks, without their place. */
function missingParameters(state: RequestState): string[] {
  const { method, url, req, pathParameters } = state;
  return method.requiredParameters
    .filter((p) => {
      const [where, name = ''] = p.split(/\.(.*)/s);
      if (where === 'querystring') return (url.searchParams.get(name) ?? '').trim() === '';
      if (where === 'header') return String(req.headers[name.toLowerCase()] ?? '').trim() === '';
      if (where === 'path') return (pathParameters[name] ?? '') === '';
      return false;
    })
    .map((p) => p.split('.').slice(1).join('.'));
}
