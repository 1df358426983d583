import {
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { upcast, type StoredEvent } from '@conflux/handler-kit/event-store';
import type { ProjectionSpec } from '@conflux/handler-kit';

/** A rebuild that cannot start or cannot switch; the message says why. */
export class RebuildError extends Error {
  public override readonly name = 'RebuildError';
}

/** What a rebuild did. */
export interface RebuildReport {
  readonly from: 'a' | 'b';
  readonly to: 'a' | 'b';
  readonly table: string;
  readonly events: number;
  readonly rows: number;
  /** Rows the catch-up pass (after the switch) moved forward. */
  readonly caughtUp: number;
  readonly ms: number;
}

/** Options of {@link rebuildProjection}. */
export interface RebuildOptions<V extends Record<string, unknown>> {
  readonly documents: DynamoDBDocumentClient;
  /** The event store's projection control table (`<stack name>-projections`). */
  readonly controlTable: string;
  readonly projection: string;
  readonly spec: ProjectionSpec<V>;
  /** Told the progress of each phase. */
  readonly onProgress?: (phase: 'clear' | 'replay' | 'write', done: number, total: number) => void;
  /** Wait after the switch before the catch-up pass: longer than readers and projector cache the active table. */
  readonly settleMs?: number;
}

async function scanAll(
  documents: DynamoDBDocumentClient,
  input: ScanCommandInput,
  onPage?: (count: number) => void,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: ScanCommandInput['ExclusiveStartKey'];
  do {
    const page = await documents.send(
      new ScanCommand({ ...input, ExclusiveStartKey: startKey, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    onPage?.(items.length);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

async function batchWrite(
  documents: DynamoDBDocumentClient,
  table: string,
  requests: Record<string, unknown>[],
  onProgress?: (done: number) => void,
): Promise<void> {
  for (let i = 0; i < requests.length; i += 25) {
    let pending = requests.slice(i, i + 25);
    while (pending.length > 0) {
      const { UnprocessedItems } = await documents.send(
        new BatchWriteCommand({ RequestItems: { [table]: pending } }),
      );
      pending = UnprocessedItems?.[table] ?? [];
    }
    onProgress?.(Math.min(i + 25, requests.length));
  }
}

/** Folds every stream of the projection in the store into rows, keyed by the projection's key. */
function fold<V extends Record<string, unknown>>(spec: ProjectionSpec<V>, events: StoredEvent[]) {
  const byStream = new Map<string, StoredEvent[]>();
  for (const e of events) {
    if (!e.streamId.startsWith(spec.streamPrefix)) continue;
    const list = byStream.get(e.streamId) ?? [];
    list.push(e);
    byStream.set(e.streamId, list);
  }
  const rows = new Map<string, Record<string, unknown>>();
  let count = 0;
  for (const list of byStream.values()) {
    list.sort((x, y) => x.version - y.version);
    let row: V | undefined;
    for (const [i, stored] of list.entries()) {
      // A stream is gap-free from version 1; stop at a gap rather than guess.
      if (stored.version !== i + 1) break;
      const event = upcast(stored, spec.upcasters ?? {});
      row = { ...spec.evolve(row, event), version: event.version, updatedAt: event.occurredAt };
      count += 1;
      rows.set(spec.keyOf(event), { ...row, [spec.keyName]: spec.keyOf(event) });
    }
  }
  return { rows, events: count };
}

/**
 * Rebuilds a projection from the whole store, blue/green: clears the inactive read-model table, folds
 * every stream into it, switches the control item to it (only if no one switched meanwhile), waits for
 * readers' caches, then makes a catch-up pass for events committed during the rebuild. The old table is
 * left as it was, so switching back is one update of the control item.
 */
export async function rebuildProjection<V extends Record<string, unknown>>(
  options: RebuildOptions<V>,
): Promise<RebuildReport> {
  const started = Date.now();
  const { documents, controlTable, projection, spec } = options;
  const { Item: control } = await documents.send(
    new GetCommand({ TableName: controlTable, Key: { projection }, ConsistentRead: true }),
  );
  const tables = control?.tables as { a: string; b: string } | undefined;
  const eventsTable = control?.eventsTable as string | undefined;
  if (!tables || !eventsTable) {
    throw new RebuildError(
      `projection ${projection} has no control item in ${controlTable}: its projector has not run yet, so there is nothing to rebuild.`,
    );
  }
  const from = (control?.active as 'a' | 'b' | undefined) ?? 'a';
  const to = from === 'a' ? 'b' : 'a';
  const target = tables[to];

  const stale = await scanAll(documents, {
    TableName: target,
    ProjectionExpression: '#k',
    ExpressionAttributeNames: { '#k': spec.keyName },
  });
  await batchWrite(
    documents,
    target,
    stale.map((key) => ({ DeleteRequest: { Key: key } })),
    (done) => options.onProgress?.('clear', done, stale.length),
  );

  const events = (await scanAll(documents, { TableName: eventsTable }, (n) =>
    options.onProgress?.('replay', n, n),
  )) as unknown as StoredEvent[];
  const { rows, events: folded } = fold(spec, events);
  await batchWrite(
    documents,
    target,
    [...rows.values()].map((row) => ({ PutRequest: { Item: row } })),
    (done) => options.onProgress?.('write', done, rows.size),
  );

  try {
    await documents.send(
      new UpdateCommand({
        TableName: controlTable,
        Key: { projection },
        UpdateExpression: 'SET active = :to, rebuiltAt = :at',
        ConditionExpression:
          from === 'a' ? 'attribute_not_exists(active) OR active = :from' : 'active = :from',
        ExpressionAttributeValues: { ':to': to, ':from': from, ':at': new Date().toISOString() },
      }),
    );
  } catch (error: unknown) {
    if (error instanceof ConditionalCheckFailedException) {
      throw new RebuildError(
        `projection ${projection} was switched by someone else during the rebuild; nothing was switched.`,
      );
    }
    throw error;
  }

  // Events committed while the rebuild ran went to the old table; bring the new one up to date.
  await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 6_000));
  const after = fold(
    spec,
    (await scanAll(documents, { TableName: eventsTable })) as unknown as StoredEvent[],
  );
  let caughtUp = 0;
  for (const [key, row] of after.rows) {
    const before = rows.get(key);
    if (before && before.version === row.version) continue;
    try {
      await documents.send(
        new PutCommand({
          TableName: target,
          Item: row,
          // The live projector may have moved the row already; never move it back.
          ConditionExpression: 'attribute_not_exists(version) OR version < :v',
          ExpressionAttributeValues: { ':v': row.version },
        }),
      );
      caughtUp += 1;
    } catch (error: unknown) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
  return { from, to, table: target, events: folded, rows: rows.size, caughtUp, ms: Date.now() - started };
}
