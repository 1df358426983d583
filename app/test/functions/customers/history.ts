import type { KinesisStreamRecord } from 'aws-lambda';
import { changeRecord, type CustomerItem } from './fixtures';

/** A seeded pseudo-random generator (mulberry32): the same seed, the same history. */
export function seeded(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    /** A whole number from 0 to n - 1. */
    below: (n: number) => Math.floor(next() * n),
    pick: <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)] as T,
    chance: (p: number) => next() < p,
  };
}
export type Random = ReturnType<typeof seeded>;

const FIRST = ['Ada', 'Élise', 'Zoë', 'Grace', 'Noël', 'Björk', 'José', 'Łukasz', 'Ana María', 'Søren'];
const LAST = ['Lovelace', 'Hopper', 'Núñez', 'Ørsted', 'Dvořák', 'O’Brien', 'Smith-Jones', 'Müller'];
const DOMAINS = ['example.com', 'mail.example', 'correo.example.es'];

/** One change of the source table, in commit order. */
export interface SourceChange {
  readonly customerId: string;
  readonly op: 'c' | 'u' | 'd';
  readonly before: CustomerItem | null;
  readonly after: CustomerItem | null;
  /** The source's position: increasing in commit order. */
  readonly position: number;
  readonly tsMs: number;
}

/** A random history of a customers table and the state it ends in. */
export interface History {
  readonly changes: readonly SourceChange[];
  /** Each key's last state: its item, or null when deleted. */
  readonly final: ReadonlyMap<string, CustomerItem | null>;
  /** The item of `customerId` as of `tsMs` (what a snapshot reading it then sees), or undefined. */
  stateAt(customerId: string, tsMs: number): CustomerItem | undefined;
}

export const HISTORY_START_MS = Date.UTC(2026, 10, 25, 9, 0);
/** Time between two commits: well apart from the snapshot clock margin of two seconds (×20). */
export const COMMIT_GAP_MS = 100;

/**
 * Creates, updates and deletes (and re-creates after a delete) on `keys` customers, interleaved at random,
 * about `changesPerKey` each.
 */
export function randomHistory(random: Random, keys = 50, changesPerKey = 6): History {
  const ids = Array.from({ length: keys }, (_, i) => `c-${String(i).padStart(3, '0')}`);
  const state = new Map<string, CustomerItem | null>();
  const changes: SourceChange[] = [];
  const item = (customerId: string): CustomerItem => {
    const first = random.pick(FIRST);
    const last = random.pick(LAST);
    const local = `${first}.${last}`.normalize('NFKD').replace(/[^A-Za-z.]/g, '');
    return {
      customerId,
      name: `${first} ${last}`,
      email: `${local}${random.below(100)}@${random.pick(DOMAINS)}`,
      ...(random.chance(0.5) ? { phone: `+44${20_000_000 + random.below(9_000_000)}` } : {}),
    };
  };
  for (let position = 1; position <= keys * changesPerKey; position += 1) {
    const customerId = random.pick(ids);
    const before = state.get(customerId) ?? null;
    const tsMs = HISTORY_START_MS + position * COMMIT_GAP_MS;
    if (before === null) {
      const after = item(customerId);
      changes.push({ customerId, op: 'c', before: null, after, position, tsMs });
      state.set(customerId, after);
    } else if (random.chance(0.2)) {
      changes.push({ customerId, op: 'd', before, after: null, position, tsMs });
      state.set(customerId, null);
    } else {
      const after = random.chance(0.5) ? { ...item(customerId) } : { ...before, name: item(customerId).name };
      changes.push({ customerId, op: 'u', before, after, position, tsMs });
      state.set(customerId, after);
    }
  }
  return {
    changes,
    final: state,
    stateAt(customerId, tsMs) {
      let found: CustomerItem | undefined;
      for (const c of changes) {
        if (c.tsMs > tsMs) break;
        if (c.customerId === customerId) found = c.after ?? undefined;
      }
      return found;
    },
  };
}

/** The EventStream records of a history, in order: each change, and a tombstone after each delete. */
export function recordsOf(changes: readonly SourceChange[]): KinesisStreamRecord[] {
  return changes.flatMap((c) => {
    const record = changeRecord({
      op: c.op,
      before: c.before,
      after: c.after,
      key: { customerId: c.customerId },
      position: c.position,
      tsMs: c.tsMs,
    });
    return c.op === 'd'
      ? [record, changeRecord({ key: { customerId: c.customerId }, tombstone: true, tsMs: c.tsMs })]
      : [record];
  });
}

/** The snapshot's `r` records of every customer that exists when it is read, one key every 5 ms from `atMs`. */
export function snapshotRecords(history: History, atMs: number): KinesisStreamRecord[] {
  const ids = [...history.final.keys()].sort();
  const reads = ids
    .map((id, i) => ({ id, readAt: atMs + i * 5, item: history.stateAt(id, atMs + i * 5) }))
    .filter((r) => r.item !== undefined);
  return reads.map((r, i) =>
    changeRecord({
      op: 'r',
      after: r.item,
      key: { customerId: r.id },
      tsMs: r.readAt,
      snapshotMarker: i === 0 ? 'first' : i === reads.length - 1 ? 'last' : 'true',
    }),
  );
}

/** The partition key's customer id of a record. */
export const customerIdOfRecord = (record: KinesisStreamRecord): string =>
  (JSON.parse(record.kinesis.partitionKey.slice('customers:'.length)) as { customerId: string }).customerId;

/** Splits records into `shards` by their partition key, keeping their order within each (as Kinesis does). */
export function shardsOf(records: readonly KinesisStreamRecord[], shards: number): KinesisStreamRecord[][] {
  const out = Array.from({ length: shards }, () => [] as KinesisStreamRecord[]);
  for (const record of records) {
    let hash = 0;
    for (const ch of record.kinesis.partitionKey) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
    out[hash % shards]?.push(record);
  }
  return out;
}

/** Cuts records into batches of 1 to `max`. */
export function batchesOf(random: Random, records: readonly KinesisStreamRecord[], max = 20) {
  const batches: KinesisStreamRecord[][] = [];
  for (let i = 0; i < records.length;) {
    const size = 1 + random.below(max);
    batches.push(records.slice(i, i + size));
    i += size;
  }
  return batches;
}
