import { randomUUID } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { upcast } from './upcasting.js';
import {
  ConcurrencyError,
  type Aggregate,
  type AsOf,
  type ExpectedVersion,
  type NewEvent,
  type StoredEvent,
  type Upcasters,
} from './types.js';

/** Where and how the store keeps its events. */
export interface EventStoreOptions {
  readonly documents: DynamoDBDocumentClient;
  /** Events: partition key `streamId` (S), sort key `version` (N). */
  readonly tableName: string;
  /** Snapshots: partition key `streamId` (S), sort key `version` (N). Omit to run without snapshots. */
  readonly snapshotTableName?: string;
  /** Write a snapshot when a stream crosses a multiple of this many events. @default 100 */
  readonly snapshotEvery?: number;
  readonly upcasters?: Upcasters;
}

/** A stream's state folded from its events, and the version it reflects. */
export interface Loaded<S> {
  readonly state: S;
  readonly version: number;
  /** Events read from the table to get here (the snapshot saves the rest). */
  readonly eventsRead: number;
  readonly fromSnapshot: boolean;
  /** The latest `occurredAt` of the events folded (a snapshot is usable `asOf` an instant only after it). */
  readonly maxOccurredAt: string;
}

/** The most events one append may carry: a DynamoDB transaction holds 100 items, one is the version check. */
export const MAX_EVENTS_PER_APPEND = 99;

/**
 * An event store on DynamoDB. `append` is one transaction: a `Put` per event, each conditional on its
 * version being free, plus a `ConditionCheck` that the expected last version exists; so a stale writer
 * writes nothing and gets a {@link ConcurrencyError}, and a stream has no gaps.
 */
export function createEventStore(options: EventStoreOptions) {
  const { documents, tableName, snapshotTableName } = options;
  const snapshotEvery = options.snapshotEvery ?? 100;
  const upcasters = options.upcasters ?? {};

  const lastVersion = async (streamId: string): Promise<number> => {
    const { Items } = await documents.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'streamId = :s',
        ExpressionAttributeValues: { ':s': streamId },
        ProjectionExpression: 'version',
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    return Number(Items?.[0]?.version ?? 0);
  };

  async function appendAt(
    streamId: string,
    expected: number,
    events: readonly NewEvent[],
  ): Promise<StoredEvent[]> {
    const now = new Date().toISOString();
    const stored = events.map((e, i): StoredEvent => ({
      streamId,
      version: expected + i + 1,
      eventId: e.eventId ?? randomUUID(),
      type: e.type,
      schemaVersion: e.schemaVersion,
      data: e.data,
      metadata: e.metadata,
      occurredAt: e.occurredAt ?? now,
    }));
    const puts = stored.map((item) => ({
      Put: { TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(version)' },
    }));
    const check =
      expected > 0
        ? [
            {
              ConditionCheck: {
                TableName: tableName,
                Key: { streamId, version: expected },
                ConditionExpression: 'attribute_exists(version)',
              },
            },
          ]
        : [];
    try {
      await documents.send(new TransactWriteCommand({ TransactItems: [...check, ...puts] }));
    } catch (error: unknown) {
      const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
      if (reasons.some((r) => r.Code === 'ConditionalCheckFailed'))
        throw new ConcurrencyError(streamId, expected);
      throw error;
    }
    return stored;
  }

  /** Events of a stream in order, from `fromVersion` (exclusive), up to `asOf`, upcast to their newest schema. */
  async function read(streamId: string, range: { after?: number; asOf?: AsOf } = {}): Promise<StoredEvent[]> {
    const upTo = range.asOf && 'version' in range.asOf ? range.asOf.version : undefined;
    const until = range.asOf && 'timestamp' in range.asOf ? Date.parse(range.asOf.timestamp) : undefined;
    const events: StoredEvent[] = [];
    let startKey: QueryCommandInput['ExclusiveStartKey'];
    do {
      const page = await documents.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression:
            upTo === undefined
              ? 'streamId = :s AND version > :after'
              : 'streamId = :s AND version BETWEEN :first AND :upTo',
          ExpressionAttributeValues:
            upTo === undefined
              ? { ':s': streamId, ':after': range.after ?? 0 }
              : { ':s': streamId, ':first': (range.after ?? 0) + 1, ':upTo': upTo },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of (page.Items ?? []) as StoredEvent[]) {
        // Time travel takes the prefix of the stream recorded by then (snapshots obey the same rule).
        if (until !== undefined && Date.parse(item.occurredAt) > until) return events;
        events.push(upcast(item, upcasters));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return events;
  }

  async function latestSnapshot<S>(streamId: string, aggregate: Aggregate<S>, asOf?: AsOf) {
    if (!snapshotTableName) return undefined;
    const upTo = asOf && 'version' in asOf ? asOf.version : Number.MAX_SAFE_INTEGER;
    const until = asOf && 'timestamp' in asOf ? Date.parse(asOf.timestamp) : Infinity;
    let startKey: QueryCommandInput['ExclusiveStartKey'];
    do {
      const page = await documents.send(
        new QueryCommand({
          TableName: snapshotTableName,
          KeyConditionExpression: 'streamId = :s AND version <= :v',
          ExpressionAttributeValues: { ':s': streamId, ':v': upTo },
          ScanIndexForward: false,
          ExclusiveStartKey: startKey,
        }),
      );
      const found = (page.Items ?? []).find(
        (s) =>
          s.aggregate === aggregate.name &&
          s.revision === aggregate.revision &&
          Date.parse(s.maxOccurredAt as string) <= until,
      );
      if (found) {
        return {
          version: Number(found.version),
          state: found.state as S,
          maxOccurredAt: found.maxOccurredAt as string,
        };
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return undefined;
  }

  return {
    /**
     * Appends `events` to `streamId` if it is at `expected`; all or nothing. Returns the stored events.
     * `'any'` appends at the end and retries a lost race a few times.
     */
    async append(
      streamId: string,
      expected: ExpectedVersion,
      events: readonly NewEvent[],
    ): Promise<StoredEvent[]> {
      if (events.length === 0) return [];
      if (events.length > MAX_EVENTS_PER_APPEND) {
        throw new RangeError(
          `an append carries at most ${MAX_EVENTS_PER_APPEND} events; got ${events.length}`,
        );
      }
      if (expected !== 'any') return appendAt(streamId, expected === 'no-stream' ? 0 : expected, events);
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await appendAt(streamId, await lastVersion(streamId), events);
        } catch (error: unknown) {
          if (!(error instanceof ConcurrencyError) || attempt >= 5) throw error;
        }
      }
    },

    read,

    /**
     * Folds a stream into state, now or `asOf` a version or instant: from the newest usable snapshot, then
     * the events after it. Without snapshots the answer is the same, only slower.
     */
    async load<S>(streamId: string, aggregate: Aggregate<S>, asOf?: AsOf): Promise<Loaded<S>> {
      const snapshot = await latestSnapshot(streamId, aggregate, asOf);
      const events = await read(streamId, { after: snapshot?.version ?? 0, asOf });
      const state = events.reduce(aggregate.evolve, snapshot?.state ?? aggregate.initial);
      const version = events.at(-1)?.version ?? snapshot?.version ?? 0;
      return {
        state,
        version,
        eventsRead: events.length,
        fromSnapshot: snapshot !== undefined,
        maxOccurredAt: latest([snapshot?.maxOccurredAt ?? '', ...events.map((e) => e.occurredAt)]),
      };
    },

    /**
     * Writes a snapshot of `state` at `version` when an append moved the stream from `before` across a
     * multiple of `snapshotEvery`. Best effort: a failed snapshot costs only speed.
     */
    async snapshotIfDue<S>(
      streamId: string,
      aggregate: Aggregate<S>,
      before: number,
      after: { state: S; version: number; maxOccurredAt: string },
    ): Promise<boolean> {
      if (!snapshotTableName) return false;
      if (Math.floor(after.version / snapshotEvery) === Math.floor(before / snapshotEvery)) return false;
      try {
        await documents.send(
          new PutCommand({
            TableName: snapshotTableName,
            Item: {
              streamId,
              version: after.version,
              aggregate: aggregate.name,
              revision: aggregate.revision,
              state: after.state,
              maxOccurredAt: after.maxOccurredAt,
            },
          }),
        );
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** The latest of ISO-8601 instants ('' for none). */
export function latest(instants: readonly string[]): string {
  return instants.reduce((a, b) => (b !== '' && (a === '' || Date.parse(b) > Date.parse(a)) ? b : a), '');
}

/** The store's operations. */
export type EventStore = ReturnType<typeof createEventStore>;
