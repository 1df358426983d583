import { randomUUID } from 'node:crypto';
import type { LocalEnvironment } from '../../core/intrinsics.js';

/** An event as EventBridge delivers it to rules and targets. */
export interface EventEnvelope {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
}

/** One entry of a `PutEvents` request, as the SDK sends it (AWS JSON 1.1). */
export interface PutEventsEntry {
  readonly Source?: unknown;
  readonly DetailType?: unknown;
  readonly Detail?: unknown;
  readonly Resources?: unknown;
  readonly Time?: unknown;
  readonly EventBusName?: unknown;
  readonly TraceHeader?: unknown;
}

/** The answer for one entry: its event id, or why it was not accepted. */
export type EntryResult =
  { readonly EventId: string } | { readonly ErrorCode: string; readonly ErrorMessage: string };

/** A request EventBridge refuses as a whole (HTTP 400). */
export class PutEventsValidationError extends Error {
  public override readonly name = 'ValidationException';
}

/** Most entries in one `PutEvents` call. */
export const MAX_ENTRIES = 10;
/** Most bytes of all entries of one call, counted as AWS counts them. */
export const MAX_REQUEST_BYTES = 256 * 1024;

/**
 * The size of an entry as AWS counts it against the 256 KB of a call: 14 bytes for `Time` when present,
 * the UTF-8 bytes of `Source`, `DetailType`, `Detail` and every resource.
 */
export function entrySize(entry: PutEventsEntry): number {
  const bytes = (v: unknown) => (typeof v === 'string' ? Buffer.byteLength(v) : 0);
  return (
    (entry.Time === undefined ? 0 : 14) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (Array.isArray(entry.Resources) ? entry.Resources.reduce<number>((n, r) => n + bytes(r), 0) : 0)
  );
}

/** Refuses a request as `PutEvents` does before looking at any entry. */
export function checkRequest(entries: unknown): asserts entries is PutEventsEntry[] {
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new PutEventsValidationError(
      "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null",
    );
  }
  if (entries.length > MAX_ENTRIES) {
    throw new PutEventsValidationError(
      `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES}`,
    );
  }
  const total = (entries as PutEventsEntry[]).reduce((n, e) => n + entrySize(e), 0);
  if (total > MAX_REQUEST_BYTES) {
    throw new PutEventsValidationError('Total size of the entries in the request is over the limit.');
  }
}

/**
 * The event an accepted entry becomes, or the error AWS answers for it: `Source`, `DetailType` and `Detail`
 * are required, `Detail` must be a JSON object, sources starting with `aws.` belong to AWS.
 */
export function toEnvelope(
  entry: PutEventsEntry,
  env: LocalEnvironment,
  now: Date = new Date(),
): EventEnvelope | { ErrorCode: string; ErrorMessage: string } {
  for (const field of ['Source', 'DetailType', 'Detail'] as const) {
    if (typeof entry[field] !== 'string' || entry[field] === '') {
      return {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
      };
    }
  }
  const source = entry.Source as string;
  if (source.startsWith('aws.')) {
    return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail as string);
  } catch {
    detail = undefined;
  }
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  }
  const resources = Array.isArray(entry.Resources) ? entry.Resources.map(String) : [];
  return envelope(env, {
    source,
    detailType: entry.DetailType as string,
    detail,
    resources,
    time: eventTime(entry.Time, now),
  });
}

/** A new event from its parts, with a fresh id. */
export function envelope(
  env: LocalEnvironment,
  parts: {
    source: string;
    detailType: string;
    detail: unknown;
    resources?: readonly string[];
    time?: Date;
  },
): EventEnvelope {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': parts.detailType,
    source: parts.source,
    account: env.accountId,
    time: isoSeconds(parts.time ?? new Date()),
    region: env.region,
    resources: parts.resources ?? [],
    detail: parts.detail,
  };
}

/** `2015-11-11T21:29:54Z`: EventBridge's `time`, to the second. */
export function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** An entry's `Time` (epoch seconds in AWS JSON 1.1, or an ISO text); now when absent or unreadable. */
function eventTime(value: unknown, now: Date): Date {
  const date =
    typeof value === 'number' ? new Date(value * 1000) : typeof value === 'string' ? new Date(value) : now;
  return Number.isNaN(date.getTime()) ? now : date;
}
