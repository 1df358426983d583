import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { DomainEvent } from '../../packages/handler-kit/src/schemas';

let sequence = 0;

/** An SQS record as the event source mapping delivers it; `body` is sent as is when it is a string. */
export function sqsRecord(
  body: unknown,
  overrides: Partial<SQSRecord> & { messageGroupId?: string } = {},
): SQSRecord {
  sequence += 1;
  const { messageGroupId, ...rest } = overrides;
  return {
    messageId: randomUUID(),
    receiptHandle: `receipt-${sequence}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
      ...(messageGroupId
        ? {
            MessageGroupId: messageGroupId,
            MessageDeduplicationId: randomUUID(),
            SequenceNumber: String(sequence),
          }
        : {}),
    },
    messageAttributes: {},
    md5OfBody: 'not-checked',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${messageGroupId ? 'queue.fifo' : 'queue'}`,
    awsRegion: 'us-east-1',
    ...rest,
  };
}

/** An SQS event holding `records`. */
export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/** A Lambda context with plenty of time left (the deprecated callback members are left out). */
export function lambdaContext(functionName = 'test-function'): Context {
  const context: Omit<Context, 'done' | 'fail' | 'succeed'> = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 30_000,
  };
  return context as Context;
}

/** A valid domain event; `overrides` replace top-level fields. */
export function domainEvent(overrides: Partial<DomainEvent> = {}): DomainEvent {
  return {
    eventId: randomUUID(),
    eventType: 'OrderConfirmed',
    aggregateType: 'Order',
    aggregateId: 'order-1',
    schemaVersion: 1,
    occurredAt: '2026-11-25T10:00:00.000Z',
    data: { orderId: 'order-1', customerId: 'customer-1' },
    ...overrides,
  };
}

/** A Lambda proxy event as API Gateway sends it after the authorizer, with overrides. */
export function apiEvent(
  overrides: {
    method?: string;
    resource?: string;
    path?: string;
    body?: unknown;
    headers?: Record<string, string>;
    pathParameters?: Record<string, string>;
    query?: Record<string, string>;
    clientId?: string;
    sub?: string;
    apiKeyId?: string;
  } = {},
): APIGatewayProxyEvent {
  const resource = overrides.resource ?? '/v2/things';
  return {
    resource,
    path: overrides.path ?? resource,
    httpMethod: overrides.method ?? 'POST',
    headers: { 'Content-Type': 'application/json', ...overrides.headers },
    multiValueHeaders: {},
    queryStringParameters: overrides.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: overrides.pathParameters ?? null,
    stageVariables: null,
    body:
      overrides.body === undefined
        ? null
        : typeof overrides.body === 'string'
          ? overrides.body
          : JSON.stringify(overrides.body),
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'api',
      authorizer: {
        principalId: overrides.sub ?? 'alice',
        sub: overrides.sub ?? 'alice',
        scopes: 'things:write',
        clientId: overrides.clientId ?? randomUUID(),
      },
      protocol: 'HTTP/1.1',
      httpMethod: overrides.method ?? 'POST',
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: overrides.apiKeyId ?? null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '127.0.0.1',
        user: null,
        userAgent: 'test',
        userArn: null,
      },
      path: `/test${resource}`,
      stage: 'test',
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'r',
      resourcePath: resource,
    },
  };
}
