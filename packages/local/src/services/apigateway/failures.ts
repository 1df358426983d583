/**
 * The failures the gateway answers itself instead of (or after) the integration, each with its gateway
 * response type, status and message as AWS sends them. `gateway-responses.ts` turns one into the API's answer.
 */
/** The failures API Gateway answers itself, by gateway response type. */
export type GatewayResponseType =
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'UNAUTHORIZED'
  | 'ACCESS_DENIED'
  | 'AUTHORIZER_CONFIGURATION_ERROR'
  | 'INVALID_API_KEY'
  | 'THROTTLED'
  | 'QUOTA_EXCEEDED'
  | 'BAD_REQUEST_PARAMETERS'
  | 'BAD_REQUEST_BODY'
  | 'REQUEST_TOO_LARGE'
  | 'INTEGRATION_FAILURE'
  | 'API_CONFIGURATION_ERROR'
  /** A 4xx with no type of its own (malformed HTTP, an undecodable path): the API's default 4xx response. */
  | 'DEFAULT_4XX';

/** A failure the gateway answers without (or instead of) the integration. */
export interface GatewayFailure {
  readonly type: GatewayResponseType;
  readonly status: number;
  /** `null` for AUTHORIZER_CONFIGURATION_ERROR, as AWS sends it. */
  readonly message: string | null;
  readonly errorType?: string;
  /** The body key: `Message` for authorizer denials (as captured from AWS), else `message`. */
  readonly messageKey?: 'message' | 'Message';
}

/** Every failure the gateway answers with a fixed message, by name. */
export const FAILURES = {
  missingToken: {
    type: 'MISSING_AUTHENTICATION_TOKEN',
    status: 403,
    message: 'Missing Authentication Token',
    errorType: 'MissingAuthenticationTokenException',
  },
  unauthorized: {
    type: 'UNAUTHORIZED',
    status: 401,
    message: 'Unauthorized',
    errorType: 'UnauthorizedException',
  },
  explicitDeny: {
    type: 'ACCESS_DENIED',
    status: 403,
    message: 'User is not authorized to access this resource with an explicit deny',
    errorType: 'AccessDeniedException',
    messageKey: 'Message',
  },
  implicitDeny: {
    type: 'ACCESS_DENIED',
    status: 403,
    message: 'User is not authorized to access this resource',
    errorType: 'AccessDeniedException',
    messageKey: 'Message',
  },
  authorizerError: {
    type: 'AUTHORIZER_CONFIGURATION_ERROR',
    status: 500,
    message: null,
    errorType: 'AuthorizerConfigurationException',
  },
  invalidApiKey: {
    type: 'INVALID_API_KEY',
    status: 403,
    message: 'Forbidden',
    errorType: 'ForbiddenException',
  },
  throttled: {
    type: 'THROTTLED',
    status: 429,
    message: 'Too Many Requests',
    errorType: 'TooManyRequestsException',
  },
  quotaExceeded: {
    type: 'QUOTA_EXCEEDED',
    status: 429,
    message: 'Limit Exceeded',
    errorType: 'LimitExceededException',
  },
  invalidBody: {
    type: 'BAD_REQUEST_BODY',
    status: 400,
    message: 'Invalid request body',
    errorType: 'BadRequestException',
  },
  tooLarge: { type: 'REQUEST_TOO_LARGE', status: 413, message: 'Request Too Long' },
  badRequest: {
    type: 'DEFAULT_4XX',
    status: 400,
    message: 'The request is not valid HTTP',
    errorType: 'BadRequestException',
  },
  unsupportedMethod: {
    type: 'DEFAULT_4XX',
    status: 400,
    message: 'The HTTP method is not supported',
    errorType: 'BadRequestException',
  },
  headersTooLarge: {
    type: 'DEFAULT_4XX',
    status: 431,
    message: 'Request headers are larger than 10240 bytes',
  },
  undecodablePath: {
    type: 'DEFAULT_4XX',
    status: 400,
    message: 'A path segment is not valid percent-encoded UTF-8',
    errorType: 'BadRequestException',
  },
  badRequestTarget: {
    type: 'DEFAULT_4XX',
    status: 400,
    message: 'The request target is not a valid URL path',
    errorType: 'BadRequestException',
  },
  unsupportedMediaType: {
    type: 'API_CONFIGURATION_ERROR',
    status: 415,
    message: 'Unsupported Media Type',
    errorType: 'UnsupportedMediaTypeException',
  },
  internal: { type: 'INTEGRATION_FAILURE', status: 502, message: 'Internal server error' },
  /** A non-proxy integration with no response for the backend's status, or a MOCK template with no status. */
  configuration: { type: 'API_CONFIGURATION_ERROR', status: 500, message: 'Internal server error' },
} as const satisfies Record<string, GatewayFailure>;
