import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { requireEnv } from '@conflux/handler-kit';
import { health } from './domain';

const version = requireEnv('SERVICE_VERSION');

/** `GET /v1/health`: open, no I/O, answers as long as the gateway and Lambda do. */
export const handler = (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> =>
  Promise.resolve({
    statusCode: 200,
    headers: {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
      'X-Request-Id': event.requestContext.requestId,
    },
    body: JSON.stringify(health(version)),
  });
