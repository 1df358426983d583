/**
 * The initial snapshot of a captured table: `op: "r"` change events for the rows the table already holds,
 * written to the table's EventStream next to the live changes its CDC processor writes there.
 *
 * ## How the snapshot and the log agree (the watermarking)
 *
 * The snapshot takes no lock and does not pause the log: it scans the table with strongly consistent reads,
 * chunk by chunk, while changes keep flowing. Nothing is lost or reordered because each event says where it
 * comes from, and sinks decide with `decideApply` (`@conflux/handler-kit/cdc`):
 *
 * - **The log wins.** A snapshot row (`op: "r"`) is applied only where the sink holds no row for that key, or
 *   holds one written by a snapshot. A row written by a log change (`c`/`u`/`d`) is never overwritten by a
 *   snapshot read, whatever the arrival order.
 * - **Sinks keep origin, position and read time.** With every row a sink stores `origin` (`log` or
 *   `snapshot`), the log `position` of the change that wrote it (`source.sequence`, 40 digits), and for a
 *   snapshot row `readAtMs` (the event's `source.ts_ms`: when its chunk was read — taken just before the
 *   Scan request, the earliest the read can have happened).
 * - **A live change older than the read is already in the image.** A log change that reaches a snapshot row
 *   is applied when it happened at or after the read (`source.ts_ms >= readAtMs − 2 s`, the margin covering
 *   the two clocks and DynamoDB's second-precision change times), and skipped when it is older: the
 *   consistent read that started after it saw its effect. Applying a change that the image already holds is
 *   harmless, since later changes of the key follow it in the log in order.
 * - **A late snapshot read cannot resurrect a delete.** Sinks keep a deleted row as a tombstone row
 *   (`deleted: true`, origin `log`), so a snapshot event for that key that arrives after the delete (the row
 *   was read just before it was deleted) is skipped by the first rule.
 *
 * Snapshot events share the live events' partition key (`<table>:<key JSON>`), so they are ordered with the
 * key's changes on one shard; the rules above hold whichever comes first. The first row is marked
 * `source.snapshot: "first"`, the very last `"last"` (the scan looks one row ahead to know it; a table of one
 * row gets `"last"`), every other `"true"`, as Debezium marks them.
 *
 * ## Resuming
 *
 * After every chunk is written, a checkpoint (`.conflux/snapshot/<table>.json`) records the key of the last
 * row emitted, the rows emitted and whether `first` was emitted; a rerun scans on from that key, so a chunk
 * that failed half-way is resumed at its first unwritten row (rows after it that Kinesis did take are written
 * again: sinks apply a snapshot row over itself). A finished snapshot is not taken again without `--restart`.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  DescribeTableCommand,
  ListTablesCommand,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamSummaryCommand,
  ListStreamsCommand,
  ListTagsForStreamCommand,
  type KinesisClient,
  type Tag,
} from '@aws-sdk/client-kinesis';
import {
  imageToJson,
  putChangeRecords,
  snapshotRecord,
  type ChangeRecord,
  type PutChangeRecordsOptions,
  type SnapshotPosition,
} from '@conflux/handler-kit/cdc';

/** The tags `ChangeCapture` puts on its EventStream's stream. */
export const CDC_TABLE_TAG = 'conflux:cdc:table';
export const CDC_SERVER_NAME_TAG = 'conflux:cdc:server-name';

/** A snapshot that cannot start or cannot finish; its message says what to do. */
export class SnapshotError extends Error {
  public override readonly name = 'SnapshotError';
}

/** Options of {@link snapshotTable}. */
export interface SnapshotOptions {
  readonly dynamodb: DynamoDBClient;
  readonly kinesis: KinesisClient;
  /** The table: its exact name, or a part of it that names one table only (case-insensitive). */
  readonly table: string;
  /** The EventStream's stream. @default the stream tagged `conflux:cdc:table` = the table's name */
  readonly stream?: string;
  /** `source.name`. @default the stream's `conflux:cdc:server-name` tag */
  readonly serverName?: string;
  /** Rows per Scan (and per checkpoint). @default 100 */
  readonly chunk?: number;
  /** Take the snapshot again from the start, whatever the checkpoint says. */
  readonly restart?: boolean;
  /** Where checkpoints go. @default `.conflux/snapshot` under the working directory */
  readonly checkpointDir?: string;
  /** Told the rows emitted so far and the table's (approximate) item count. */
  readonly onProgress?: (emitted: number, total: number) => void;
  /** Retry tuning of the writes. */
  readonly put?: PutChangeRecordsOptions;
  /** The clock of `readAtMs`, for tests. @default Date.now */
  readonly now?: () => number;
}

/** What a snapshot did. */
export interface SnapshotResult {
  readonly table: string;
  readonly stream: string;
  /** Rows emitted in total, this run and the runs it resumed. */
  readonly emitted: number;
  /** Rows emitted by this run. */
  readonly emittedNow: number;
  readonly resumed: boolean;
  /** The checkpoint said the snapshot was finished: nothing was emitted (rerun with `restart`). */
  readonly alreadyComplete: boolean;
  readonly checkpointFile: string;
}

interface Checkpoint {
  readonly version: 1;
  readonly table: string;
  readonly stream: string;
  /** The key of the last row emitted: the next Scan starts after it. */
  cursor?: Record<string, AttributeValue>;
  emitted: number;
  firstEmitted: boolean;
  done: boolean;
  readonly startedAt: string;
  updatedAt: string;
}

/**
 * Emits the table's rows as `op: "r"` events onto its EventStream, resumably. Throws {@link SnapshotError}
 * for an unknown or ambiguous table or stream, and when a chunk cannot be written (the checkpoint then holds
 * every row written).
 */
export async function snapshotTable(options: SnapshotOptions): Promise<SnapshotResult> {
  const { dynamodb, kinesis } = options;
  const now = options.now ?? Date.now;
  const chunk = options.chunk ?? 100;
  if (!Number.isInteger(chunk) || chunk < 1)
    throw new SnapshotError(`the chunk must be a whole number of rows of at least 1; received ${chunk}.`);
  const table = await resolveTable(dynamodb, options.table);
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: table }));
  const keySchema = Table?.KeySchema ?? [];
  const keyAttributes = [
    ...keySchema.filter((k) => k.KeyType === 'HASH'),
    ...keySchema.filter((k) => k.KeyType === 'RANGE'),
  ].map((k) => k.AttributeName ?? '');
  const stream = options.stream
    ? await describeEventStream(kinesis, options.stream)
    : await findEventStream(kinesis, table);
  const serverName = options.serverName ?? stream.serverName;
  if (!serverName) {
    throw new SnapshotError(
      `stream ${stream.name} has no ${CDC_SERVER_NAME_TAG} tag: pass --server-name (the ChangeCapture's serverName).`,
    );
  }
  const capture = { serverName, db: stream.db, table, keyAttributes };

  const checkpointFile = path.join(
    options.checkpointDir ?? path.join(process.cwd(), '.conflux', 'snapshot'),
    `${table.replace(/[^\w.-]/g, '_')}.json`,
  );
  const saved = options.restart ? undefined : loadCheckpoint(checkpointFile);
  if (saved && saved.stream !== stream.name) {
    throw new SnapshotError(
      `checkpoint ${checkpointFile} is of a snapshot into stream ${saved.stream}, not ${stream.name}: pass --restart to start over into ${stream.name}.`,
    );
  }
  const total = Table?.ItemCount ?? 0;
  if (saved?.done) {
    return {
      table,
      stream: stream.name,
      emitted: saved.emitted,
      emittedNow: 0,
      resumed: false,
      alreadyComplete: true,
      checkpointFile,
    };
  }
  const checkpoint: Checkpoint = saved ?? {
    version: 1,
    table,
    stream: stream.name,
    emitted: 0,
    firstEmitted: false,
    done: false,
    startedAt: new Date(now()).toISOString(),
    updatedAt: new Date(now()).toISOString(),
  };
  const save = () => {
    checkpoint.updatedAt = new Date(now()).toISOString();
    mkdirSync(path.dirname(checkpointFile), { recursive: true });
    writeFileSync(`${checkpointFile}.tmp`, `${JSON.stringify(checkpoint, null, 2)}\n`);
    renameSync(`${checkpointFile}.tmp`, checkpointFile);
  };
  const keyOfItem = (item: Record<string, AttributeValue>) =>
    Object.fromEntries(keyAttributes.map((name) => [name, item[name] as AttributeValue]));

  const emittedBefore = checkpoint.emitted;
  options.onProgress?.(checkpoint.emitted, Math.max(total, checkpoint.emitted));
  // The row read last is held back until the next page says whether it is the snapshot's last.
  let held: { item: Record<string, AttributeValue>; readAtMs: number } | undefined;
  let scanFrom = checkpoint.cursor;
  for (;;) {
    const readAtMs = now();
    const page = await dynamodb.send(
      new ScanCommand({ TableName: table, ConsistentRead: true, Limit: chunk, ExclusiveStartKey: scanFrom }),
    );
    const end = page.LastEvaluatedKey === undefined;
    const rows: { item: Record<string, AttributeValue>; record: ChangeRecord }[] = [];
    const emit = (row: { item: Record<string, AttributeValue>; readAtMs: number }, last: boolean) => {
      const marker: SnapshotPosition = last
        ? 'last'
        : !checkpoint.firstEmitted && rows.length === 0
          ? 'first'
          : 'true';
      rows.push({
        item: row.item,
        record: snapshotRecord(imageToJson(row.item), marker, row.readAtMs, capture),
      });
    };
    for (const item of page.Items ?? []) {
      if (held) emit(held, false);
      held = { item, readAtMs };
    }
    if (end && held) {
      emit(held, true);
      held = undefined;
    }
    let written = rows.length;
    let failure: string | undefined;
    try {
      const { failedFrom } = await putChangeRecords(
        kinesis,
        stream.name,
        rows.map((r) => r.record),
        options.put,
      );
      if (failedFrom !== undefined) {
        written = failedFrom;
        failure = `Kinesis did not take row ${failedFrom + 1} of the chunk after retries`;
      }
    } catch (error: unknown) {
      written = 0;
      failure = error instanceof Error ? `${error.name}: ${error.message}` : 'the write failed';
    }
    const lastWritten = rows[written - 1];
    if (lastWritten) {
      checkpoint.cursor = keyOfItem(lastWritten.item);
      checkpoint.emitted += written;
      checkpoint.firstEmitted = true;
    }
    if (failure !== undefined) {
      save();
      throw new SnapshotError(
        `${failure}; ${checkpoint.emitted} row(s) of ${table} emitted so far. Rerun the same command to resume after the last row written.`,
      );
    }
    checkpoint.done = end;
    save();
    options.onProgress?.(checkpoint.emitted, Math.max(total, checkpoint.emitted));
    if (end) break;
    scanFrom = page.LastEvaluatedKey;
  }
  return {
    table,
    stream: stream.name,
    emitted: checkpoint.emitted,
    emittedNow: checkpoint.emitted - emittedBefore,
    resumed: saved !== undefined,
    alreadyComplete: false,
    checkpointFile,
  };
}

/**
 * The table `name` names: the table of that exact name, else the only one whose name contains it
 * (case-insensitively), else a {@link SnapshotError} listing the candidates.
 */
export async function resolveTable(dynamodb: DynamoDBClient, name: string): Promise<string> {
  const tables: string[] = [];
  let ExclusiveStartTableName: string | undefined;
  do {
    const page = await dynamodb.send(new ListTablesCommand({ ExclusiveStartTableName }));
    tables.push(...(page.TableNames ?? []));
    ExclusiveStartTableName = page.LastEvaluatedTableName;
  } while (ExclusiveStartTableName);
  if (tables.includes(name)) return name;
  const matches = tables.filter((t) => t.toLowerCase().includes(name.toLowerCase()));
  const [only, ...others] = matches;
  if (only !== undefined && others.length === 0) return only;
  if (only === undefined) {
    throw new SnapshotError(
      `no table is named or contains "${name}" (${tables.length} table(s): ${tables.slice(0, 10).join(', ') || 'none'}${tables.length > 10 ? ', …' : ''}): check the name, region and endpoint.`,
    );
  }
  throw new SnapshotError(
    `"${name}" matches ${matches.length} tables: ${matches.join(', ')}. Give the full name.`,
  );
}

/** An EventStream's stream as the snapshot needs it. */
export interface EventStreamFacts {
  readonly name: string;
  readonly serverName?: string;
  /** `source.db`: `<account>/<region>` of the stream, as ChangeCapture sets the processor's `CDC_DB`. */
  readonly db: string;
}

/** The stream tagged `conflux:cdc:table` = `table`; {@link SnapshotError} when none or several are. */
export async function findEventStream(kinesis: KinesisClient, table: string): Promise<EventStreamFacts> {
  const names: string[] = [];
  let ExclusiveStartStreamName: string | undefined;
  for (;;) {
    const page = await kinesis.send(new ListStreamsCommand({ ExclusiveStartStreamName }));
    const streamNames = page.StreamNames ?? [];
    names.push(...streamNames);
    ExclusiveStartStreamName = streamNames[streamNames.length - 1];
    if (!page.HasMoreStreams || ExclusiveStartStreamName === undefined) break;
  }
  const tagged: { name: string; tags: Map<string, string> }[] = [];
  for (const name of names) {
    const tags = await tagsOf(kinesis, name);
    if (tags.get(CDC_TABLE_TAG) === table) tagged.push({ name, tags });
  }
  const [only, ...others] = tagged;
  if (only === undefined) {
    throw new SnapshotError(
      `no stream is tagged ${CDC_TABLE_TAG}=${table} (is the table captured by a ChangeCapture, and deployed or running?): pass --stream.`,
    );
  }
  if (others.length > 0) {
    throw new SnapshotError(
      `streams ${tagged.map((t) => t.name).join(', ')} are all tagged ${CDC_TABLE_TAG}=${table}: pass --stream.`,
    );
  }
  return {
    name: only.name,
    serverName: only.tags.get(CDC_SERVER_NAME_TAG),
    db: await dbOf(kinesis, only.name),
  };
}

async function describeEventStream(kinesis: KinesisClient, stream: string): Promise<EventStreamFacts> {
  const name = stream.startsWith('arn:') ? stream.replace(/^.*:stream\//, '') : stream;
  let db: string;
  try {
    db = await dbOf(kinesis, name);
  } catch (error: unknown) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException')
      throw new SnapshotError(`stream ${stream} does not exist: check the name, region and endpoint.`);
    throw error;
  }
  const tags = await tagsOf(kinesis, name);
  return { name, serverName: tags.get(CDC_SERVER_NAME_TAG), db };
}

async function dbOf(kinesis: KinesisClient, name: string): Promise<string> {
  const { StreamDescriptionSummary } = await kinesis.send(
    new DescribeStreamSummaryCommand({ StreamName: name }),
  );
  const [, , , region = '', account = ''] = (StreamDescriptionSummary?.StreamARN ?? '').split(':');
  return `${account}/${region}`;
}

async function tagsOf(kinesis: KinesisClient, name: string): Promise<Map<string, string>> {
  const tags: Tag[] = [];
  let ExclusiveStartTagKey: string | undefined;
  for (;;) {
    const page = await kinesis.send(new ListTagsForStreamCommand({ StreamName: name, ExclusiveStartTagKey }));
    const own = page.Tags ?? [];
    tags.push(...own);
    ExclusiveStartTagKey = own[own.length - 1]?.Key;
    if (!page.HasMoreTags || ExclusiveStartTagKey === undefined) break;
  }
  return new Map(tags.map((t) => [t.Key ?? '', t.Value ?? '']));
}

function loadCheckpoint(file: string): Checkpoint | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Checkpoint;
  } catch (error: unknown) {
    throw new SnapshotError(
      `checkpoint ${file} is not readable JSON (${error instanceof Error ? error.message : String(error)}): delete it or pass --restart.`,
    );
  }
}
