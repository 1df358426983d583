import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type {
  AttributeValue as StreamAttributeValue,
  Context,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { documents } from './clients.js';
import { upcast, type StoredEvent, type Upcasters } from './event-store/index.js';
import { logger, metrics } from './powertools.js';
import { PROJECTIONS, type ProjectionTables } from '@conflux/constructs/contracts';

/** An event that arrived before the one preceding it in its stream: retried until its predecessor lands. */
export class ProjectionGapError extends Error {
  public override readonly name = 'ProjectionGapError';
}

/** What a projection makes of its streams. */
export interface ProjectionSpec<V extends Record<string, unknown>> {
  /** Streams of this projection: those whose id starts with this prefix (e.g. `account-`). */
  readonly streamPrefix: string;
  /** The read-model row key (attribute `keyName`) of an event. */
  readonly keyName: string;
  readonly keyOf: (event: StoredEvent) => string;
  /** The row after `event`, from the row before it (undefined for the stream's first event). */
  readonly evolve: (row: V | undefined, event: StoredEvent) => V;
  readonly upcasters?: Upcasters;
}

/** The stored event of an `INSERT` stream record, or undefined for other changes. */
export function storedEventOf(record: DynamoDBRecord): StoredEvent | undefined {
  if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) return undefined;
  return unmarshall(
    record.dynamodb.NewImage as Record<string, StreamAttributeValue> as Record<string, AttributeValue>,
  ) as StoredEvent;
}

/**
 * Applies one event to a read-model table, exactly once and in order: each row records the stream version
 * it reflects; an event at or below it is a duplicate and is skipped, an event beyond the next is a gap and
 * fails (to be retried after its predecessor), and the write is conditional on the version read, so two
 * deliveries racing cannot both apply.
 */
export async function applyToReadModel<V extends Record<string, unknown>>(
  tableName: string,
  spec: ProjectionSpec<V>,
  stored: StoredEvent,
): Promise<'applied' | 'duplicate' | 'ignored'> {
  if (!stored.streamId.startsWith(spec.streamPrefix)) return 'ignored';
  const event = upcast(stored, spec.upcasters ?? {});
  const key = { [spec.keyName]: spec.keyOf(event) };
  for (;;) {
    const { Item } = await documents.send(
      new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
    );
    const seen = Number(Item?.version ?? 0);
    if (seen >= event.version) return 'duplicate';
    if (seen !== event.version - 1) {
      throw new ProjectionGapError(
        `${event.streamId} v${event.version} arrived with the read model at v${seen}`,
      );
    }
    const row = {
      ...spec.evolve(Item as V | undefined, event),
      ...key,
      version: event.version,
      updatedAt: event.occurredAt,
    };
    try {
      await documents.send(
        new PutCommand({
          TableName: tableName,
          Item: row,
          ConditionExpression: seen === 0 ? 'attribute_not_exists(version)' : 'version = :seen',
          ExpressionAttributeValues: seen === 0 ? undefined : { ':seen': seen },
        }),
      );
      return 'applied';
    } catch (error: unknown) {
      // Another delivery moved the row meanwhile: look again.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

/** Where a projection lives (`@conflux/constructs/contracts`, as the `Projection` construct writes it). */
export type { ProjectionTables } from '@conflux/constructs/contracts';

/** The projections a function may use, from `PROJECTIONS` (set by the `Projection` construct's grants). */
export function projectionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Readonly<Record<string, ProjectionTables>> {
  return JSON.parse(env[PROJECTIONS] ?? '{}') as Record<string, ProjectionTables>;
}

/**
 * The active read-model table of a projection, as the control table says (table `a` until a rebuild
 * switches). Readers cache it for `cacheMs`; the rebuild waits longer than that before its catch-up pass.
 */
export function activeTableReader(name: string, cacheMs = 5_000) {
  const projection = projectionsFromEnv()[name];
  if (!projection) throw new Error(`PROJECTIONS names no projection ${name}`);
  let cached: { table: string; until: number } | undefined;
  return async (): Promise<string> => {
    if (cached && Date.now() < cached.until) return cached.table;
    const { Item } = await documents.send(
      new GetCommand({ TableName: projection.control, Key: { projection: name }, ConsistentRead: true }),
    );
    const table = projection.tables[(Item?.active as 'a' | 'b' | undefined) ?? 'a'];
    cached = { table, until: Date.now() + cacheMs };
    return table;
  };
}

/** How long readers may keep using the table a rebuild switched away from. */
export const READER_CACHE_MS = 5_000;

/**
 * A projector for the event store's DynamoDB stream: records in order, one at a time, each applied with
 * {@link applyToReadModel} to the projection's active table (read from the control table at every batch,
 * so a rebuild's switch takes effect at the next one); a partial batch response names the failed records,
 * so the mapping retries from the first of them (already applied ones are then skipped as duplicates).
 * After each batch it records its checkpoint (the last sequence number applied) in the control item, with
 * the event store's table name for the rebuild command.
 */
export function createProjector<V extends Record<string, unknown>>(name: string, spec: ProjectionSpec<V>) {
  const projection = projectionsFromEnv()[name];
  if (!projection) throw new Error(`PROJECTIONS names no projection ${name}`);
  return async (event: DynamoDBStreamEvent, context: Context) => {
    const { Item } = await documents.send(
      new GetCommand({ TableName: projection.control, Key: { projection: name }, ConsistentRead: true }),
    );
    const table = projection.tables[(Item?.active as 'a' | 'b' | undefined) ?? 'a'];
    let last: DynamoDBRecord | undefined;
    let applied = 0;
    const response = await processPartialResponse(
      event,
      async (record: DynamoDBRecord) => {
        const stored = storedEventOf(record);
        const outcome = stored ? await applyToReadModel(table, spec, stored) : 'ignored';
        if (outcome === 'applied') applied += 1;
        last = record;
        return outcome;
      },
      new BatchProcessor(EventType.DynamoDBStreams),
      { context, processInParallel: false, throwOnFullBatchFailure: false },
    );
    if (response.batchItemFailures.length > 0) {
      logger.warn('records failed', { failed: response.batchItemFailures.map((f) => f.itemIdentifier) });
    }
    if (last?.dynamodb?.SequenceNumber) {
      await documents.send(
        new UpdateCommand({
          TableName: projection.control,
          Key: { projection: name },
          UpdateExpression:
            'SET active = if_not_exists(active, :a), checkpoint = :c, eventsTable = :e, checkpointAt = :at, tables = :t',
          ExpressionAttributeValues: {
            ':a': 'a',
            ':c': last.dynamodb.SequenceNumber,
            ':e': /:table\/([^/]+)\//.exec(last.eventSourceARN ?? '')?.[1] ?? '',
            ':at': new Date().toISOString(),
            ':t': projection.tables,
          },
        }),
      );
    }
    metrics.addMetric('EventsProjected', MetricUnit.Count, applied);
    metrics.publishStoredMetrics();
    return response;
  };
}
