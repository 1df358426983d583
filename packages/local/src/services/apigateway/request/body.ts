/** The request body, read once the request is routed: API Gateway's payload limit is 10 MB. */
import type { IncomingMessage } from 'node:http';

const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** The body as UTF-8 text, null when there is none, undefined when it is over the limit (a 413). */
export async function readBody(req: IncomingMessage): Promise<string | null | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  return size === 0 ? null : Buffer.concat(chunks).toString('utf8');
}
