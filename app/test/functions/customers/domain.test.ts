import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ChangeEvent, ParsedChange } from '@conflux/handler-kit/cdc';
import {
  archiveObject,
  MAX_RESULTS,
  MAX_TERMS,
  NotACustomerChangeError,
  normalise,
  planSearchWrite,
  queryWords,
  rankHits,
  searchTerms,
  type SearchRow,
} from '../../../functions/customers/domain';
import { changeEvent, customer, type ChangeRecordOptions } from './fixtures';

/** A change as `parseChangeRecord` hands it to the sinks. */
function parsed(options: ChangeRecordOptions & { readonly tombstone?: boolean } = {}): ParsedChange {
  const value = changeEvent(options) as unknown as ChangeEvent;
  const snapshot = (options.op ?? 'c') === 'r';
  const image = options.after ?? options.before;
  return {
    table: options.table ?? 'customers',
    key: options.key ?? { customerId: image?.customerId ?? 'c-1' },
    value: options.tombstone ? null : value,
    tombstone: options.tombstone ?? false,
    snapshot,
    ...(snapshot ? {} : { position: String(options.position ?? 1).padStart(40, '0') }),
    sourceTsMs: options.tsMs ?? 1_795_600_000_000,
  };
}

const pos = (n: number) => String(n).padStart(40, '0');

describe('search terms', () => {
  it('lower-cases and strips diacritics, so Élise, ELISE and elise are one term', () => {
    expect(normalise('Élise Zoë ÅNGSTRÖM')).toBe('elise zoe angstrom');
    expect(normalise('ﬁancée')).toBe('fiancee');
  });

  it('finds a customer by the words of the name, the whole address and its parts, each once', () => {
    const terms = searchTerms({ name: 'Jean-Luc  Picard Picard', email: 'Jean.Luc@Star-Fleet.example' });
    expect(terms).toEqual([
      'jean.luc@star-fleet.example',
      'jean',
      'luc',
      'picard',
      'star',
      'fleet',
      'example',
    ]);
  });

  it(`keeps at most ${MAX_TERMS} terms, the whole address first`, () => {
    const name = Array.from({ length: 60 }, (_, i) => `w${i}`).join(' ');
    const terms = searchTerms({ name, email: 'ada@example.com' });
    expect(terms).toHaveLength(MAX_TERMS);
    expect(terms[0]).toBe('ada@example.com');
  });
});

describe('query words', () => {
  it('splits a query into normalised words, any of which matches', () => {
    expect(queryWords('  Élise   o’Brien ')).toEqual(['elise', 'o', 'brien']);
  });

  it('looks an e-mail address up whole, not by its domain', () => {
    expect(queryWords('Ada@Example.com lovelace')).toEqual(['ada@example.com', 'lovelace']);
  });

  it('has no words for punctuation only', () => {
    expect(queryWords('!!! ...')).toEqual([]);
  });
});

describe('rankHits', () => {
  it('answers each customer once, those matching more words first, then by name', () => {
    const ada = { customerId: 'a', name: 'Ada Lovelace', email: 'ada@example.com' };
    const grace = { customerId: 'g', name: 'Grace Hopper', email: 'grace@example.com', phone: '+15550100' };
    const alan = { customerId: 't', name: 'Alan Turing', email: 'alan@example.com' };
    expect(rankHits([[ada, grace, alan, ada], [grace]])).toEqual([grace, ada, alan]);
  });

  it(`answers at most ${MAX_RESULTS}`, () => {
    const many = Array.from({ length: 80 }, (_, i) => ({
      customerId: `c${i}`,
      name: `N${i}`,
      email: `n${i}@example.com`,
    }));
    expect(rankHits([many])).toHaveLength(MAX_RESULTS);
  });
});

describe('planSearchWrite', () => {
  const ada = customer({ customerId: 'c-1', name: 'Ada Lovelace', email: 'ada@example.com' });
  const row = (overrides: Partial<SearchRow> = {}): SearchRow => ({
    customerId: 'c-1',
    entry: 'row',
    origin: 'log',
    position: pos(5),
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    terms: searchTerms(ada),
    ...overrides,
  });

  it('writes a new customer’s row with its position and an item per term', () => {
    // GIVEN a create at position 5 of a customer the view has not seen
    const plan = planSearchWrite(parsed({ op: 'c', after: ada, position: 5 }), undefined);
    // THEN the row stands at position 5 and every term has its item, with the customer's fields
    expect(plan?.row).toEqual(row());
    expect(plan?.deleteTerms).toEqual([]);
    expect(plan?.putTerms.map((t) => t.entry)).toEqual(searchTerms(ada).map((t) => `term#${t}`));
    expect(plan?.putTerms[0]).toEqual({ ...ada, entry: 'term#ada@example.com', term: 'ada@example.com' });
  });

  it('moves an updated customer: the terms gone are deleted, the terms now are written', () => {
    const renamed = { ...ada, name: 'Ada King' };
    const plan = planSearchWrite(parsed({ op: 'u', before: ada, after: renamed, position: 9 }), row());
    expect(plan?.deleteTerms).toEqual(['lovelace']);
    expect(plan?.putTerms.map((t) => t.term)).toEqual(['ada@example.com', 'ada', 'king', 'example', 'com']);
    expect(plan?.row).toMatchObject({ name: 'Ada King', position: pos(9), origin: 'log' });
  });

  it('never moves a row backwards: a duplicate or an older change is skipped', () => {
    expect(planSearchWrite(parsed({ op: 'u', after: ada, position: 5 }), row())).toBeUndefined();
    expect(planSearchWrite(parsed({ op: 'u', after: ada, position: 4 }), row())).toBeUndefined();
  });

  it('turns a delete into a tombstone row without terms', () => {
    const plan = planSearchWrite(parsed({ op: 'd', before: ada, position: 6 }), row());
    expect(plan).toEqual({
      row: { customerId: 'c-1', entry: 'row', origin: 'log', position: pos(6), deleted: true, terms: [] },
      deleteTerms: searchTerms(ada),
      putTerms: [],
    });
  });

  it('ignores tombstone records', () => {
    expect(planSearchWrite(parsed({ tombstone: true }), undefined)).toBeUndefined();
  });

  it('lets a late snapshot read neither resurrect a delete nor override the log', () => {
    const tombstone = row({ deleted: true, terms: [], name: undefined, email: undefined });
    const snapshotRead = parsed({ op: 'r', after: ada, tsMs: 1_795_700_000_000 });
    expect(planSearchWrite(snapshotRead, tombstone)).toBeUndefined();
    expect(planSearchWrite(snapshotRead, row())).toBeUndefined();
  });

  it('takes a snapshot read when the view has nothing, and the log over it afterwards', () => {
    const readAt = 1_795_600_100_000;
    const snapshot = planSearchWrite(parsed({ op: 'r', after: ada, tsMs: readAt }), undefined);
    expect(snapshot?.row).toMatchObject({ origin: 'snapshot', readAtMs: readAt });
    expect(snapshot?.row.position).toBeUndefined();
    const after = { ...ada, email: 'ada@king.example' };
    const later = parsed({ op: 'u', before: ada, after, position: 7, tsMs: readAt + 1 });
    expect(planSearchWrite(later, snapshot?.row)?.row).toMatchObject({ origin: 'log', email: after.email });
  });

  it('refuses a change that is not a customer’s: no customerId key, or an image without an e-mail', () => {
    expect(() => planSearchWrite(parsed({ op: 'c', after: ada, key: { id: 1 } }), undefined)).toThrow(
      NotACustomerChangeError,
    );
    const noEmail = { customerId: 'c-1', name: 'Ada' } as unknown as typeof ada;
    expect(() => planSearchWrite(parsed({ op: 'c', after: noEmail }), undefined)).toThrow(
      NotACustomerChangeError,
    );
  });
});

describe('archiveObject', () => {
  const record = (partitionKey: string) => ({
    partitionKey,
    sequenceNumber: '4965',
    data: Buffer.from('{"op":"c"}'),
    arrivedAtMs: 1_795_600_000_000,
  });
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');

  it('keys a change by table, the UTC date of its change time, its position and its partition key', () => {
    const change = parsed({ op: 'c', after: customer(), position: 42, tsMs: Date.UTC(2026, 10, 25, 23, 59) });
    const object = archiveObject(change, record('customers:{"customerId":"c-1"}'));
    expect(object?.key).toBe(
      `cdc/table=customers/date=2026-11-25/${pos(42)}-${sha('customers:{"customerId":"c-1"}')}.json`,
    );
    expect(Buffer.from(object?.body ?? []).toString()).toBe('{"op":"c"}');
  });

  it('keys a snapshot read by when it was read, and skips tombstones', () => {
    const read = parsed({ op: 'r', after: customer(), tsMs: Date.UTC(2026, 0, 2) });
    expect(archiveObject(read, record('k'))?.key).toBe(
      `cdc/table=customers/date=2026-01-02/snapshot-${Date.UTC(2026, 0, 2)}-${sha('k')}.json`,
    );
    expect(archiveObject(parsed({ tombstone: true }), record('k'))).toBeUndefined();
  });

  it('keeps the partition path to safe characters', () => {
    const change = parsed({ op: 'c', after: customer(), table: 'public/customers x' });
    expect(archiveObject(change, record('k'))?.key).toMatch(/^cdc\/table=public_customers_x\/date=/);
  });
});
