/** Media types as API Gateway matches them, for request models and mapping templates. */
import type { IncomingMessage } from 'node:http';

/** The media type of a request, lower case without parameters; API Gateway's default is JSON. */
export function mediaType(req: IncomingMessage): string {
  const raw = req.headers['content-type'] ?? '';
  return raw.split(';')[0]?.trim().toLowerCase() || 'application/json';
}

/** A value of a map keyed by media type, matched case-insensitively. */
export function byMediaType<T>(map: Readonly<Record<string, T>>, type: string): T | undefined {
  const found = Object.keys(map).find((k) => k.toLowerCase() === type);
  return found === undefined ? undefined : map[found];
}
