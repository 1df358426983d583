// The customers-nightly pipeline's rules: which rows of the customers table a window holds, how a row is
// cleansed for the curated zone, and why a row is rejected. Pure: the handlers do the I/O.
import type { EtlWindow } from '@conflux/constructs/contracts';
import { cleanseRows, normaliseEmail, normalisePhone, trimText } from '@conflux/handler-kit/lake';

/** The pipeline's name: its watermark key and its folder in `staging/`, `quarantine/` and `curated/`. */
export const CUSTOMERS_PIPELINE = 'customers-nightly';

/** The longest name kept, as the API allows it. */
export const MAX_NAME_LENGTH = 120;

/** A customers-table item as the extract reads it: anything may be missing or wrong (rows are not all the API's). */
export type CustomerItem = Readonly<Record<string, unknown>>;

/** A customer in the curated zone: cleansed, one line per customer changed in the window. */
export interface CuratedCustomer {
  readonly customerId: string;
  readonly name: string;
  /** Trimmed and lower-cased. */
  readonly email: string;
  /** E.164, or null when the customer gave none. */
  readonly phone: string | null;
  /** ISO 8601, as the table holds it; null when the item has none. */
  readonly createdAt: string | null;
  /** ISO 8601: the change the window selected the row by. */
  readonly updatedAt: string;
}

/** What the rule decides about one row. */
export type CustomerOutcome =
  { readonly ok: true; readonly row: CuratedCustomer } | { readonly ok: false; readonly reasons: string[] };

/** What the transform hands on: rows to load, rows to quarantine with their reasons, duplicates dropped. */
export interface CustomerCleansing {
  readonly accepted: CuratedCustomer[];
  readonly rejected: { readonly row: CustomerItem; readonly reasons: string[] }[];
  readonly duplicates: number;
}

/** Thrown when the customers table cannot be scanned into a window (a bad segment count, say). */
export class CustomerExtractError extends Error {
  public override readonly name = 'CustomerExtractError';
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

const isText = (v: unknown): v is string => typeof v === 'string';

/**
 * Whether an item belongs to the window: `from < updatedAt <= to`. The table writes `updatedAt` with
 * `Date.toISOString()` (UTC, milliseconds), the same form as the window's bounds, so text order is time
 * order; an item without a well-formed `updatedAt` belongs to no window (the transform never sees it).
 */
export function inWindow(item: CustomerItem, window: EtlWindow): boolean {
  const at = item.updatedAt;
  return isText(at) && ISO_INSTANT.test(at) && at > window.from && at <= window.to;
}

/**
 * The cleansing rule of one customer: the name trimmed (and not empty, at most {@link MAX_NAME_LENGTH},
 * no control characters), the e-mail normalised (trimmed, lower case, one plausible address), the phone
 * normalised to E.164 when there is one (an empty phone is none). Every reason is reported at once.
 */
export function cleanseCustomer(item: CustomerItem): CustomerOutcome {
  const reasons: string[] = [];
  const { customerId, name, email, phone, createdAt, updatedAt } = item;
  if (!isText(customerId) || customerId.trim() === '') reasons.push('customerId: missing');
  if (!isText(updatedAt) || !ISO_INSTANT.test(updatedAt))
    reasons.push('updatedAt: not an ISO 8601 UTC instant');

  let cleanName = '';
  if (!isText(name)) reasons.push('name: missing');
  else {
    cleanName = trimText(name);
    if (cleanName === '') reasons.push('name: empty');
    else if (cleanName.length > MAX_NAME_LENGTH)
      reasons.push(`name: longer than ${MAX_NAME_LENGTH} characters`);
    else if (CONTROL.test(cleanName)) reasons.push('name: holds control characters');
  }

  let cleanEmail = '';
  if (!isText(email)) reasons.push('email: missing');
  else {
    const checked = normaliseEmail(email);
    if (checked.ok) cleanEmail = checked.value;
    else reasons.push(`email: ${checked.reason}`);
  }

  let cleanPhone: string | null = null;
  if (phone !== undefined && phone !== null && !(isText(phone) && phone.trim() === '')) {
    if (!isText(phone)) reasons.push('phone: not text');
    else {
      const checked = normalisePhone(phone);
      if (checked.ok) cleanPhone = checked.value;
      else reasons.push(`phone: ${checked.reason}`);
    }
  }

  if (reasons.length > 0) return { ok: false, reasons };
  return {
    ok: true,
    row: {
      customerId: customerId as string,
      name: cleanName,
      email: cleanEmail,
      phone: cleanPhone,
      createdAt: isText(createdAt) && ISO_INSTANT.test(createdAt) ? createdAt : null,
      updatedAt: updatedAt as string,
    },
  };
}

const keyOf = (item: CustomerItem) => (isText(item.customerId) ? item.customerId : '');
const versionOf = (item: CustomerItem) => (isText(item.updatedAt) ? item.updatedAt : '');

/**
 * The transform of a window's rows: older versions of a customer dropped first (the latest `updatedAt` kept: a
 * scan yields each key once, but a staged object written by an older extract, a backfill that concatenates
 * windows, or a replayed extract can repeat one), then each row cleansed by {@link cleanseCustomer}.
 */
export function cleanseCustomers(rows: readonly CustomerItem[]): CustomerCleansing {
  // Deduplicated before the rule: a refused latest version quarantines the customer rather than letting
  // an older, accepted version through as current.
  const cleansed = cleanseRows(rows, cleanseCustomer, { keyOf, versionOf });
  return {
    accepted: cleansed.accepted,
    rejected: cleansed.rejected.map((r) => ({ row: r.row, reasons: [...r.reasons] })),
    duplicates: cleansed.duplicates,
  };
}

/** The curated zone's key of a customer: loads sort by it, so a rerun writes the same bytes. */
export const curatedKeyOf = (row: CuratedCustomer): string => row.customerId;

/**
 * How many parallel scan segments the extract uses: the `SCAN_SEGMENTS` setting, 1 to 64 (DynamoDB allows
 * up to 1,000,000; past a few dozen a Lambda gains nothing but throttling).
 */
export function scanSegments(raw: string | undefined, fallback = 4): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new CustomerExtractError(`SCAN_SEGMENTS must be a whole number from 1 to 64; received "${raw}"`);
  }
  return n;
}
