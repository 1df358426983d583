import { createHash } from 'node:crypto';
import { decideApply, type ParsedChange, type SinkRow } from '@conflux/handler-kit/cdc';

/** A customer as the API answers it. */
export interface Customer {
  readonly customerId: string;
  readonly name: string;
  readonly email: string;
  readonly phone?: string;
}

/** At most this many search terms per customer: a change is one transaction of at most 2 × 40 + 1 items. */
export const MAX_TERMS = 40;
/** At most this many words of a query are looked up. */
export const MAX_QUERY_WORDS = 10;
/** At most this many customers in a search answer. */
export const MAX_RESULTS = 50;

/** A change on the customers' stream that is not a customer's: no `customerId` key, or an image without a name or e-mail. */
export class NotACustomerChangeError extends Error {
  public override readonly name = 'NotACustomerChangeError';
}

/** Lower case, compatibility-decomposed (NFKD), without diacritics: `Élise` and `elise` are one term. */
export function normalise(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '');
}

/** The words of a text: its runs of letters and digits, normalised. */
export function wordsOf(text: string): string[] {
  return normalise(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
}

const unique = (values: readonly string[]) => [...new Set(values)];

/**
 * What a customer is found by: the whole e-mail address, the words of the name, the parts of the address
 * (split on anything but letters and digits), normalised, deduplicated, at most {@link MAX_TERMS}.
 */
export function searchTerms(customer: { readonly name: string; readonly email: string }): string[] {
  const address = normalise(customer.email.trim());
  return unique([address, ...wordsOf(customer.name), ...wordsOf(customer.email)])
    .filter((t) => t !== '')
    .slice(0, MAX_TERMS);
}

/**
 * The terms a query looks up, any of which matches: a whitespace-separated word holding an `@` is an
 * e-mail address, looked up whole (so `ada@example.com` does not find everyone at example.com); any other
 * word is split into its letters and digits, as names are. Whole terms only, no prefixes.
 */
export function queryWords(q: string): string[] {
  const words = q
    .split(/\s+/)
    .filter((w) => w !== '')
    .flatMap((w) => (w.includes('@') ? [normalise(w)] : wordsOf(w)));
  return unique(words).slice(0, MAX_QUERY_WORDS);
}

/** A search view entry found by one query word. */
export interface SearchHit {
  readonly customerId: string;
  readonly name: string;
  readonly email: string;
  readonly phone?: string;
}

/**
 * The answer to a search from each query word's hits: every customer once, those matching more of the
 * words first, then by name and id, at most {@link MAX_RESULTS}.
 */
export function rankHits(hitsPerWord: ReadonlyArray<readonly SearchHit[]>): Customer[] {
  const found = new Map<string, { customer: Customer; words: number }>();
  for (const hits of hitsPerWord) {
    const counted = new Set<string>();
    for (const hit of hits) {
      if (counted.has(hit.customerId)) continue;
      counted.add(hit.customerId);
      const seen = found.get(hit.customerId);
      if (seen) seen.words += 1;
      else found.set(hit.customerId, { customer: customerOf(hit), words: 1 });
    }
  }
  return [...found.values()]
    .sort(
      (a, b) =>
        b.words - a.words ||
        a.customer.name.localeCompare(b.customer.name) ||
        a.customer.customerId.localeCompare(b.customer.customerId),
    )
    .slice(0, MAX_RESULTS)
    .map((f) => f.customer);
}

/** The API's view of a customer item: its own fields only. */
export function customerOf(item: {
  customerId: string;
  name: string;
  email: string;
  phone?: string;
}): Customer {
  return {
    customerId: item.customerId,
    name: item.name,
    email: item.email,
    ...(item.phone === undefined ? {} : { phone: item.phone }),
  };
}

// --- the search view -------------------------------------------------------------------------------

/** Sort key of a customer's row in the search view. */
export const ROW_ENTRY = 'row';
/** Sort key of a customer's term item. */
export const termEntry = (term: string) => `term#${term}`;

/**
 * A customer's row in the search view: where it stands in the source's log (`origin`, `position`,
 * `readAtMs`), its fields, and the terms it has items for. A deleted customer keeps its row as a tombstone
 * (`deleted: true`, no terms), so a late snapshot read cannot bring it back.
 */
export interface SearchRow extends SinkRow {
  readonly customerId: string;
  readonly entry: typeof ROW_ENTRY;
  readonly deleted?: true;
  readonly name?: string;
  readonly email?: string;
  readonly phone?: string;
  readonly terms: readonly string[];
}

/** A term item: found through the `byTerm` index, with the customer's fields projected. */
export interface TermItem extends SearchHit {
  readonly entry: string;
  readonly term: string;
}

/** What one change does to the search view, written as one transaction. */
export interface SearchWrite {
  readonly row: SearchRow;
  /** Terms the customer no longer has (their items are deleted). */
  readonly deleteTerms: readonly string[];
  /** Items of every term the customer has now (rewritten: the projected fields may have changed). */
  readonly putTerms: readonly TermItem[];
}

const text = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** The customer id a change is about, from its record key; {@link NotACustomerChangeError} if it has none. */
export function customerIdOf(change: ParsedChange): string {
  // A key too long for a partition key travels as its digest: the images still carry it.
  const image = change.value?.after ?? change.value?.before;
  const id = change.keyDigest === undefined ? change.key.customerId : image?.customerId;
  if (!text(id)) {
    throw new NotACustomerChangeError(
      `the change's key ${JSON.stringify(change.key)} has no customerId: not a customer change`,
    );
  }
  return id;
}

function customerImage(customerId: string, image: unknown): Customer {
  const item = (image ?? {}) as Record<string, unknown>;
  const phone = item.phone;
  if (
    item.customerId !== customerId ||
    !text(item.name) ||
    !text(item.email) ||
    !(phone === undefined || phone === null || typeof phone === 'string')
  ) {
    throw new NotACustomerChangeError(
      `the change of ${customerId} holds no customer image (customerId, name, email, phone?)`,
    );
  }
  return customerOf({
    customerId,
    name: item.name,
    email: item.email,
    ...(typeof phone === 'string' ? { phone } : {}),
  });
}

/**
 * What a change does to the search view given the customer's row there now, or nothing: tombstone records,
 * and changes `decideApply` skips (older than the row, or a snapshot read behind a logged change or a
 * delete). Deterministic, so a duplicate or a replay makes the same decision.
 */
export function planSearchWrite(
  change: ParsedChange,
  current: SearchRow | undefined,
): SearchWrite | undefined {
  if (change.tombstone || change.value === null) return undefined;
  const customerId = customerIdOf(change);
  if (decideApply(current, change) === 'skip') return undefined;
  if (change.snapshot && change.sourceTsMs === undefined) {
    throw new NotACustomerChangeError(`the snapshot read of ${customerId} has no source.ts_ms`);
  }
  const standing = {
    customerId,
    entry: ROW_ENTRY,
    origin: change.snapshot ? 'snapshot' : 'log',
    ...(change.position === undefined ? {} : { position: change.position }),
    ...(change.snapshot ? { readAtMs: change.sourceTsMs } : {}),
  } as const;
  const had = current?.terms ?? [];
  if (change.value.op === 'd') {
    return { row: { ...standing, deleted: true, terms: [] }, deleteTerms: had, putTerms: [] };
  }
  const customer = customerImage(customerId, change.value.after);
  const terms = searchTerms(customer);
  return {
    row: { ...standing, ...customer, terms },
    deleteTerms: had.filter((t) => !terms.includes(t)),
    putTerms: terms.map((term) => ({ ...customer, entry: termEntry(term), term })),
  };
}

// --- the raw change archive ------------------------------------------------------------------------

/** Where a change is archived, and what is written there. */
export interface ArchiveObject {
  readonly key: string;
  readonly body: Uint8Array;
}

/** Characters a Hive-style partition value keeps; any other becomes `_`. */
const partitionValue = (value: string) => value.replace(/[^A-Za-z0-9_.-]/g, '_');

/**
 * The archive object of a change record: `cdc/table=<table>/date=<yyyy-mm-dd>/<position>-<sha256 of the
 * partition key>.json` holding the record's data as it came. The date is the change's (`source.ts_ms`, UTC),
 * the name its source position, or `snapshot-<read at ms>` for a snapshot read (or, for a foreign event
 * with neither, `kinesis-<sequence number>`), so a redelivery or a replay rewrites the same object with the
 * same bytes. Tombstones are not archived: they carry no data and no position, and the delete before them is.
 */
export function archiveObject(
  change: ParsedChange,
  record: {
    readonly partitionKey: string;
    readonly sequenceNumber: string;
    readonly data: Uint8Array;
    readonly arrivedAtMs: number;
  },
): ArchiveObject | undefined {
  if (change.tombstone || change.value === null) return undefined;
  const at = change.sourceTsMs ?? record.arrivedAtMs;
  const date = new Date(at).toISOString().slice(0, 10);
  const name =
    change.position ??
    (change.snapshot ? `snapshot-${String(at).padStart(13, '0')}` : `kinesis-${record.sequenceNumber}`);
  const sha = createHash('sha256').update(record.partitionKey).digest('hex');
  const table = partitionValue(change.table ?? 'unknown');
  return { key: `cdc/table=${table}/date=${date}/${name}-${sha}.json`, body: record.data };
}
