import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { FuzzRequest } from './requests';

// Raw HTTP: a request sent as written, whatever its method, path bytes and headers.

/** What came back: an answer, or no answer at all. */
export type Answer =
  | { readonly status: number; readonly headers: IncomingHttpHeaders; readonly body: string }
  | { readonly error: string };

/** Sends `r` as written, on a fresh connection (node:http: any method, any path bytes, raw headers). */
export function send(baseUrl: string, r: FuzzRequest, timeoutMs = 20_000): Promise<Answer> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    let settled = false;
    const done = (answer: Answer) => {
      if (!settled) {
        settled = true;
        resolve(answer);
      }
    };
    // node:http frames a body of GET, HEAD, DELETE, OPTIONS only when told its length.
    const length = r.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(r.body)) };
    const req = httpRequest({
      host: url.hostname,
      port: url.port,
      method: r.method,
      path: r.target,
      headers: { ...length, ...r.headers },
      agent: false,
      timeout: timeoutMs,
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        done({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
      res.on('error', (e: NodeJS.ErrnoException) => {
        done({ error: e.code ?? e.message });
      });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => {
      done({ error: e.code ?? e.message });
    });
    req.end(r.body);
  });
}
