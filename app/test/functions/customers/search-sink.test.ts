import type { KinesisStreamRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import type { handler as Handler } from '../../../functions/customers/search-sink.handler';
import { searchTerms } from '../../../functions/customers/domain';
import { useDynamoDbLocal } from '../../../../test/support/dynamodb';
import { lambdaContext } from '../../../../test/support/fixtures';
import { changeRecord, customer, kinesisEvent, type CustomerItem } from './fixtures';
import {
  batchesOf,
  COMMIT_GAP_MS,
  customerIdOfRecord,
  randomHistory,
  recordsOf,
  seeded,
  shardsOf,
  snapshotRecords,
  type History,
  type Random,
} from './history';
import { createSearchTable, searchViewReader } from './search-view';

describe('customer search sink (DynamoDB Local)', () => {
  const ddb = useDynamoDbLocal();
  let handler: typeof Handler;
  let view: ReturnType<typeof searchViewReader>;

  beforeAll(async () => {
    const table = await createSearchTable(ddb.endpoint);
    process.env.SEARCH_TABLE_NAME = table;
    view = searchViewReader(ddb.endpoint, table);
    ({ handler } = await import('../../../functions/customers/search-sink.handler'));
  });

  const deliver = async (...records: KinesisStreamRecord[]) =>
    (await handler(kinesisEvent(...records), lambdaContext())).batchItemFailures.map((f) => f.itemIdentifier);
  let keys = 0;
  const freshId = () => `k-${Date.now()}-${(keys += 1)}`;

  /** What the view must hold for a customer in `item` state (or deleted, for null). */
  async function expectViewOf(customerId: string, item: CustomerItem | null): Promise<void> {
    const items = await view.itemsOf(customerId);
    const row = items.find((i) => i.entry === 'row');
    const terms = items.filter((i) => i.entry !== 'row');
    if (item === null) {
      expect(row, customerId).toMatchObject({ deleted: true, terms: [] });
      expect(terms, customerId).toEqual([]);
      return;
    }
    const fields = {
      customerId,
      name: item.name,
      email: item.email,
      ...(item.phone === undefined ? {} : { phone: item.phone }),
    };
    expect(row, customerId).toMatchObject({ ...fields, terms: searchTerms(item) });
    expect(row?.deleted, customerId).toBeUndefined();
    expect(terms.map((t) => t.term).sort(), customerId).toEqual([...searchTerms(item)].sort());
    for (const term of terms) {
      expect(term, customerId).toEqual({ ...fields, entry: `term#${String(term.term)}`, term: term.term });
    }
  }

  it('writes a created customer’s row and terms, moves them on an update, and leaves a tombstone on delete', async () => {
    // GIVEN a customer created, renamed, then deleted
    const customerId = freshId();
    const ada = customer({ customerId, name: 'Ada Lovelace', email: 'ada@example.com' });
    const king = { ...ada, name: 'Ada King', phone: '+442079460958' };
    // WHEN each change is delivered
    expect(await deliver(changeRecord({ op: 'c', after: ada, position: 1 }))).toEqual([]);
    await expectViewOf(customerId, ada);
    expect(await view.idsByTerm('lovelace')).toContain(customerId);
    expect(await deliver(changeRecord({ op: 'u', before: ada, after: king, position: 2 }))).toEqual([]);
    // THEN the old name no longer finds it, the new one does
    await expectViewOf(customerId, king);
    expect(await view.idsByTerm('lovelace')).not.toContain(customerId);
    expect(await view.idsByTerm('king')).toContain(customerId);
    expect(
      await deliver(
        changeRecord({ op: 'd', before: king, position: 3 }),
        changeRecord({ key: { customerId }, tombstone: true }),
      ),
    ).toEqual([]);
    await expectViewOf(customerId, null);
    expect(await view.idsByTerm('king')).not.toContain(customerId);
  });

  it('skips duplicates and older changes, so a row never moves backwards', async () => {
    const customerId = freshId();
    const v1 = customer({ customerId, name: 'First Name' });
    const v2 = customer({ customerId, name: 'Second Name' });
    const create = changeRecord({ op: 'c', after: v1, position: 10 });
    const update = changeRecord({ op: 'u', before: v1, after: v2, position: 11 });
    expect(await deliver(create, update, create, update, create)).toEqual([]);
    await expectViewOf(customerId, v2);
  });

  it('treats a tombstone record as a no-op', async () => {
    const customerId = freshId();
    expect(await deliver(changeRecord({ key: { customerId }, tombstone: true }))).toEqual([]);
    expect(await view.itemsOf(customerId)).toEqual([]);
  });

  it('fails exactly the malformed and foreign records of a batch and applies the others', async () => {
    // GIVEN a batch with data that is no change event, and a change whose key has no customerId
    const good = [freshId(), freshId()].map((id) =>
      changeRecord({ op: 'c', after: customer({ customerId: id }), position: 1 }),
    );
    const malformed = changeRecord({ key: { customerId: freshId() }, rawData: '{"not":"a change"' });
    const foreign = changeRecord({ op: 'c', after: customer(), key: { id: 1 }, position: 1 });
    // WHEN it is delivered
    const failures = await deliver(
      good[0] as KinesisStreamRecord,
      malformed,
      foreign,
      good[1] as KinesisStreamRecord,
    );
    // THEN only those two are reported, and the good ones are in the view
    expect(failures.sort()).toEqual(
      [malformed.kinesis.sequenceNumber, foreign.kinesis.sequenceNumber].sort(),
    );
    for (const record of good) expect(await view.itemsOf(customerIdOfRecord(record))).not.toEqual([]);
  });

  /** Delivers one shard's records as a mapping would, with duplicates, crashed-and-retried batches and redeliveries. */
  async function deliverShard(random: Random, records: readonly KinesisStreamRecord[]): Promise<void> {
    const batches = batchesOf(random, records);
    for (const [i, batch] of batches.entries()) {
      if (random.chance(0.15)) {
        // The function timed out half-way: part of the batch applied, then the whole batch is retried.
        expect(await deliver(...batch.slice(0, random.below(batch.length)))).toEqual([]);
      }
      expect(await deliver(...batch)).toEqual([]);
      if (random.chance(0.2)) expect(await deliver(...batch)).toEqual([]);
      const earlier = batches[i - 1 - random.below(3)];
      if (earlier && random.chance(0.1)) expect(await deliver(...earlier)).toEqual([]);
    }
  }

  /** Every key's row and term items equal its final source state; the index finds exactly the live ones. */
  async function expectViewEqualsSource(history: History): Promise<void> {
    const byTerm = new Map<string, string[]>();
    for (const [customerId, item] of history.final) {
      await expectViewOf(customerId, item);
      for (const term of item === null ? [] : searchTerms(item)) {
        byTerm.set(term, [...(byTerm.get(term) ?? []), customerId]);
      }
    }
    const ours = new Set(history.final.keys());
    for (const [term, expected] of byTerm) {
      const found = (await view.idsByTerm(term)).filter((id) => ours.has(id));
      expect(found, term).toEqual([...expected].sort());
    }
  }

  /** The history with each key made unique to this test (the view table is shared by the file). */
  function isolated(history: History): History {
    const run = freshId();
    const idOf = (key: string) => `${run}-${key}`;
    const keyOf = (id: string) => id.slice(run.length + 1);
    const rename = (item: CustomerItem | null | undefined) =>
      item ? { ...item, customerId: idOf(item.customerId) } : item;
    return {
      changes: history.changes.map((c) => ({
        ...c,
        customerId: idOf(c.customerId),
        before: rename(c.before) ?? null,
        after: rename(c.after) ?? null,
      })),
      final: new Map([...history.final].map(([k, item]) => [idOf(k), rename(item) ?? null])),
      stateAt: (id, ts) => rename(history.stateAt(keyOf(id), ts)) ?? undefined,
    };
  }

  it.each([20_261_125, 7])(
    'a burst of interleaved changes on 50 keys, delivered with duplicates, retries and a replay, leaves every view row equal to the source row (seed %i)',
    async (seed) => {
      // GIVEN a random history of creates, updates and deletes on 50 keys, as change records on 4 shards
      const random = seeded(seed);
      const history = isolated(randomHistory(random, 50, 6));
      const shards = shardsOf(recordsOf(history.changes), 4);
      // WHEN the shards are consumed at once, each with duplicates, half-applied batches and redeliveries
      await Promise.all(shards.map((records) => deliverShard(seeded(seed + records.length), records)));
      // AND the whole stream is replayed from the start while the tail of each shard is delivered again
      await Promise.all([
        ...shards.map((records) => deliverShard(seeded(seed + 1), records)),
        ...shards.map((records) => deliver(...records.slice(-10))),
      ]);
      // THEN every row and its term items equal the source's final state
      await expectViewEqualsSource(history);
    },
  );

  it('interleaves a snapshot with live changes: the log wins and a late snapshot read resurrects no delete', async () => {
    // GIVEN a history and a snapshot read half-way through it
    const random = seeded(42);
    const history = isolated(randomHistory(random, 50, 6));
    const live = recordsOf(history.changes);
    const middle = history.changes[Math.floor(history.changes.length / 2)]?.tsMs ?? 0;
    const snapshot = snapshotRecords(history, middle);
    // WHEN the snapshot's reads land anywhere among the live records of their key (the processor lags,
    // the snapshot writes while changes keep coming)
    const mixed = [...live];
    for (const read of snapshot) mixed.splice(random.below(mixed.length + 1), 0, read);
    const shards = shardsOf(mixed, 3);
    await Promise.all(shards.map((records) => deliverShard(seeded(records.length), records)));
    // AND the whole stream is replayed
    await Promise.all(shards.map((records) => deliverShard(seeded(7 + records.length), records)));
    // THEN the view equals the source
    await expectViewEqualsSource(history);
  });

  it('never lets a snapshot read taken before a delete bring the customer back', async () => {
    const customerId = freshId();
    const ada = customer({ customerId });
    const readAt = 1_795_600_000_000;
    expect(
      await deliver(changeRecord({ op: 'c', after: ada, position: 1, tsMs: readAt - 50 * COMMIT_GAP_MS })),
    ).toEqual([]);
    expect(await deliver(changeRecord({ op: 'd', before: ada, position: 2, tsMs: readAt + 10_000 }))).toEqual(
      [],
    );
    // WHEN the snapshot's read of the customer, taken before the delete, arrives after it
    expect(await deliver(changeRecord({ op: 'r', after: ada, tsMs: readAt }))).toEqual([]);
    // THEN the customer stays deleted
    await expectViewOf(customerId, null);
  });

  it('keeps a snapshot read over log changes it already holds, and applies the ones after it', async () => {
    const customerId = freshId();
    const v1 = customer({ customerId, name: 'Before Read' });
    const v2 = customer({ customerId, name: 'At Read' });
    const v3 = customer({ customerId, name: 'After Read' });
    const readAt = 1_795_600_000_000;
    // GIVEN the snapshot's read arrives before the log changes it already holds
    expect(await deliver(changeRecord({ op: 'r', after: v2, tsMs: readAt }))).toEqual([]);
    // WHEN a change long before the read arrives, then one after it
    expect(await deliver(changeRecord({ op: 'c', after: v1, position: 1, tsMs: readAt - 60_000 }))).toEqual(
      [],
    );
    await expectViewOf(customerId, v2);
    expect(
      await deliver(changeRecord({ op: 'u', before: v2, after: v3, position: 3, tsMs: readAt + 1_000 })),
    ).toEqual([]);
    // THEN the view shows the later one, from the log
    await expectViewOf(customerId, v3);
    expect((await view.itemsOf(customerId)).find((i) => i.entry === 'row')).toMatchObject({ origin: 'log' });
  });
});
