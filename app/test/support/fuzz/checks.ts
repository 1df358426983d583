import type { Answer } from './http';
import type { FuzzRequest } from './requests';

// The checks every answer must pass, by the API contract.

/** A way an answer breaks the API contract. */
export interface Violation {
  /** What went wrong, in words that group equal defects (no request specifics). */
  readonly kind: string;
  readonly detail?: string;
}

/** What an answer body must not show, by name. */
const LEAKS: readonly [string, RegExp][] = [
  ['a stack trace', / {4}at \S/],
  ['a file path', /\/work\b|\/tmp\b|\/home\b|node_modules|\.ts:|file:\/\//],
  [
    'an engine message',
    /ValidationException|ECONNREFUSED|ECONNRESET|ResourceNotFound|SerializationException|InvalidParameterValue|ConditionalCheckFailed|TransactionCanceled|ProvisionedThroughput|com\.amazon|java\.\w|kinesalite|fauxqs/,
  ],
  [
    'a JavaScript error',
    /TypeError|RangeError|ReferenceError|SyntaxError|Maximum call stack|Cannot read propert|is not a function|is not defined|\[object Object\]/,
  ],
];

const lenientDecode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** Everything of the request an answer may echo. */
function echoable(r: FuzzRequest): string {
  const values = Object.entries(r.headers)
    .filter(([k]) => k !== 'authorization')
    .flatMap(([, v]) => v);
  return [r.target, lenientDecode(r.target), ...values, r.body?.toString() ?? ''].join('\n');
}

const ERROR_SHAPE = (
  json: unknown,
): json is { error: { code: string; message: string; requestId: string } } => {
  const error = (json as { error?: Record<string, unknown> | null } | null)?.error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof error.code === 'string' &&
    error.code !== '' &&
    typeof error.message === 'string' &&
    error.message !== '' &&
    typeof error.requestId === 'string' &&
    error.requestId !== ''
  );
};

/** The error code of an answer, when it has one. */
function errorCode(answer: Answer): string {
  if ('error' in answer) return '';
  try {
    const json = JSON.parse(answer.body) as unknown;
    return ERROR_SHAPE(json) ? json.error.code : '';
  } catch {
    return '';
  }
}

/** What is wrong with `answer` to `r`, by the API contract. */
export function checkAnswer(r: FuzzRequest, answer: Answer): Violation[] {
  if ('error' in answer) {
    // Bytes after an answer that closes the connection: a body on an answer to HEAD, or a second answer.
    const hint = answer.error === 'HPE_CLOSED_CONNECTION' ? ': bytes after the answer' : '';
    return [{ kind: `no answer (${answer.error}${hint})` }];
  }
  const out: Violation[] = [];
  const { status } = answer;
  const code = errorCode(answer);
  if (status >= 500) out.push({ kind: `answered ${status}${code ? ` ${code}` : ''}` });
  if (status >= 400) {
    const type = answer.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(type)) {
      out.push({ kind: `${status} without Content-Type application/json`, detail: type || '(none)' });
    }
    if (r.method !== 'HEAD') {
      let json: unknown;
      try {
        json = JSON.parse(answer.body);
      } catch {
        json = undefined;
      }
      if (!ERROR_SHAPE(json)) {
        out.push({
          kind: `${status} body is not {"error":{code,message,requestId}}`,
          detail: answer.body.slice(0, 80) || '(empty)',
        });
      } else {
        const header = answer.headers['x-amzn-requestid'];
        if (typeof header === 'string' && header !== json.error.requestId) {
          out.push({ kind: `${status} requestId differs from x-amzn-RequestId` });
        }
      }
    }
  }
  const echo = echoable(r);
  for (const [name, pattern] of LEAKS) {
    const found = pattern.exec(answer.body)?.[0];
    if (found !== undefined && !echo.includes(found)) out.push({ kind: `body shows ${name}`, detail: found });
  }
  if (status < 400 && r.refuse.length > 0) {
    const [first] = r.refuse;
    out.push({
      kind: `accepted (${status}) although ${first?.category ?? ''}`,
      detail: r.refuse.map((x) => x.detail).join('; '),
    });
  }
  if (status === 415 && r.jsonMediaType) {
    out.push({ kind: '415 for a JSON media type', detail: String(r.headers['content-type'] ?? '(none)') });
  }
  return out;
}
