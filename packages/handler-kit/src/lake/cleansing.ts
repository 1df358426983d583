import { compareText } from './json-lines.js';

/** A normalised value, or why the input could not be one. */
export type Normalised<T = string> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/**
 * Text as a person meant it: Unicode NFC, whitespace runs (spaces, tabs, line breaks, no-break spaces)
 * collapsed to one space, and none at either end.
 */
export function trimText(value: string): string {
  return value.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

// RFC 5322 `atext`: what a dot-atom local part may hold, unquoted.
const ATEXT = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

const failed = (reason: string): Normalised<never> => ({ ok: false, reason });

/**
 * An e-mail address trimmed and lower-cased, if it is one mailbox `local@domain.tld` of a pragmatic subset
 * of RFC 5321/5322: a dot-atom local part (at most 64 characters of `atext`, no leading, trailing or doubled
 * dot), a domain of at least two labels (each 1–63 letters, digits or inner hyphens; at most 253
 * characters), a top-level label of letters (or an IDNA `xn--` label), at most 254 characters in all.
 * Refused: quoted local parts, comments, IP-literal domains, non-ASCII (internationalised) addresses, and
 * display names (`Ann <ann@example.com>`). Lower-casing the local part is what mail providers do in
 * practice, although RFC 5321 lets a server tell cases apart.
 */
export function normaliseEmail(value: string): Normalised {
  const email = value.trim().toLowerCase();
  if (email === '') return failed('empty e-mail address');
  if (/\s/u.test(email)) return failed('e-mail address contains whitespace');
  const at = email.split('@');
  if (at.length !== 2) return failed('e-mail address must contain exactly one @');
  const [local, domain] = at as [string, string];
  if (local === '') return failed('e-mail address has an empty local part');
  if (domain === '') return failed('e-mail address has an empty domain');
  if (local.length > 64) return failed('e-mail local part is longer than 64 characters');
  if (email.length > 254) return failed('e-mail address is longer than 254 characters');
  if (local.split('.').some((atom) => !ATEXT.test(atom))) {
    return failed('e-mail local part has a character or dot where none may be');
  }
  if (domain.length > 253) return failed('e-mail domain is longer than 253 characters');
  const labels = domain.split('.');
  if (labels.length < 2) return failed('e-mail domain needs a dot (domain.tld)');
  if (labels.some((label) => !LABEL.test(label))) return failed('e-mail domain has a bad label');
  if (!TLD.test(labels[labels.length - 1] as string)) {
    return failed('e-mail domain has a bad top-level label');
  }
  return { ok: true, value: email };
}

/** E.164: `+`, a country code not starting with 0, at most 15 digits in all (7 at least, pragmatically). */
export const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * A phone number in E.164 form: spaces (any whitespace), `-`, `.`, `(` and `)` removed, a leading
 * international `00` turned into `+`, a bracketed trunk zero (`+44 (0)20…`) dropped; the result must match {@link E164}. A national number (no country
 * code) is refused: which country it belongs to is the caller's knowledge, not this function's.
 */
export function normalisePhone(value: string): Normalised {
  // `+44 (0)20 …`: the bracketed trunk zero is dialled only from inside the country, never after the code.
  let phone = value.replace(/\(0\)/gu, '').replace(/[\s\-.()]/gu, '');
  if (phone === '') return failed('empty phone number');
  if (phone.startsWith('00')) phone = `+${phone.slice(2)}`;
  if (!phone.startsWith('+')) return failed('phone number has no country code (+… or 00…)');
  if (!E164.test(phone)) return failed('phone number is not E.164 (+ and 7–15 digits, no leading 0)');
  return { ok: true, value: phone };
}

/** A version to order rows of one key by: a number, or a string compared as text (ISO 8601 instants sort). */
export type Version = number | string;

/** What {@link dedupeLatest} kept, and how many rows it dropped as older versions of a kept one. */
export interface Deduped<Row> {
  readonly rows: Row[];
  readonly duplicates: number;
}

function compareVersions(a: Version, b: Version): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return compareText(String(a), String(b));
}

/**
 * The newest row of each key (by `versionOf`; on a tie the later row in `rows`), in key order (code-unit
 * order, locale-free, so the same rows give the same order everywhere). `duplicates` counts the rows dropped.
 */
export function dedupeLatest<Row>(
  rows: Iterable<Row>,
  keyOf: (row: Row) => string,
  versionOf: (row: Row) => Version,
): Deduped<Row> {
  const latest = new Map<string, { row: Row; version: Version }>();
  let duplicates = 0;
  for (const row of rows) {
    const key = keyOf(row);
    const version = versionOf(row);
    const kept = latest.get(key);
    if (kept !== undefined) duplicates += 1;
    if (kept === undefined || compareVersions(version, kept.version) >= 0) latest.set(key, { row, version });
  }
  const keys = [...latest.keys()].sort(compareText);
  return { rows: keys.map((key) => (latest.get(key) as { row: Row }).row), duplicates };
}

/** A cleansing rule's verdict on one row: the cleansed row, or every reason it is refused. */
export type RuleVerdict<Out> =
  { readonly ok: true; readonly row: Out } | { readonly ok: false; readonly reasons: readonly string[] };

/** A row refused by a rule, with its reasons: one line of the quarantine. */
export interface RejectedRow<In> {
  readonly row: In;
  readonly reasons: readonly string[];
}

/** The outcome of cleansing a window's rows: what the transform step returns. */
export interface Cleansed<In, Out> {
  readonly accepted: Out[];
  readonly rejected: RejectedRow<In>[];
  readonly duplicates: number;
}

/** How {@link cleanseRows} drops older versions of a row before the rule sees them. */
export interface DedupeBy<In> {
  readonly keyOf: (row: In) => string;
  readonly versionOf: (row: In) => Version;
}

/**
 * Applies `rule` to each row: accepted rows in order, rejected ones with their reasons. With `dedupe`, only
 * the newest version of each key is judged (the older ones are counted as `duplicates`), so a refused newest
 * version quarantines that key rather than letting an older, accepted version through as current. A rule
 * that throws fails the whole call: a bug is not a bad row.
 */
export function cleanseRows<In, Out = In>(
  rows: Iterable<In>,
  rule: (row: In) => RuleVerdict<Out>,
  dedupe?: DedupeBy<In>,
): Cleansed<In, Out> {
  const deduped = dedupe ? dedupeLatest(rows, dedupe.keyOf, dedupe.versionOf) : { rows, duplicates: 0 };
  const accepted: Out[] = [];
  const rejected: RejectedRow<In>[] = [];
  for (const row of deduped.rows) {
    const verdict = rule(row);
    if (verdict.ok) accepted.push(verdict.row);
    else rejected.push({ row, reasons: verdict.reasons });
  }
  return { accepted, rejected, duplicates: deduped.duplicates };
}
