import { createServer } from 'node:net';

/**
 * The port DynamoDB Local listens on, the same for every benchmark of the process: the handler kit's
 * DynamoDB client keeps the endpoint of its first request, so a later benchmark's DynamoDB Local must answer
 * where the first one did.
 */
export async function dynamoDbPort(): Promise<number> {
  const known = Number(process.env.CONFLUX_BENCH_DYNAMODB_PORT);
  if (Number.isInteger(known) && known > 0) return known;
  const port = await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        resolve(address && typeof address === 'object' ? address.port : 0);
      });
    });
  });
  process.env.CONFLUX_BENCH_DYNAMODB_PORT = String(port);
  return port;
}
