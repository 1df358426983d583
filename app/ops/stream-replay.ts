/**
 * Replays a Kinesis stream into an SQS queue or a Lambda function, from an instant or a sequence number,
 * across every shard the stream still holds (closed parents included, each parent read to its end before
 * its children so order per partition key survives a reshard), in order per shard.
 *
 * - `--from <instant>`: every shard starts `AT_TIMESTAMP`. `--from <sequence>`: the shard that holds the
 *   record starts `AT_SEQUENCE_NUMBER`, the others `AT_TIMESTAMP` at that record's arrival time.
 * - `--to <instant>`: a shard ends before its first record that arrived after the instant. `--to <sequence>`:
 *   the shard that holds it ends after that record, the others after that record's arrival time. Without
 *   `--to`, a shard ends where it is when the replay catches up with it (an open shard) or at its end (a
 *   closed one). Arrival times have millisecond precision: records of other shards that arrived in the same
 *   millisecond as a `--from`/`--to` record are included.
 * - The checkpoint file holds, per shard, the last record delivered and whether the shard is finished; a
 *   rerun with the same arguments resumes after it (`AFTER_SEQUENCE_NUMBER`), so nothing is delivered twice
 *   and nothing is skipped, except that a target that took part of a batch it then reported as failed (a
 *   standard queue's partial SendMessageBatch failure) may see those records again: delivery is at least
 *   once, like the mappings the targets normally hear from.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type GetShardIteratorCommandInput,
  type KinesisClient,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { ReplayError, type ReplayRecord, type ReplayTarget } from './stream-replay-targets';

export { ReplayError } from './stream-replay-targets';

/** A usage error in the replay's arguments (a bad instant, `--to` before `--from`): the command exits 2. */
export class ReplayUsageError extends ReplayError {
  public override readonly name = 'ReplayUsageError';
}

/** Where a replay starts or ends: an instant, or the sequence number of a record. */
export type StreamPosition = { readonly instant: Date } | { readonly sequence: string };

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/**
 * Parses `--from`/`--to`: an ISO 8601 instant (a date alone is midnight UTC; a time needs `Z` or an offset)
 * or a sequence number (digits). Throws {@link ReplayUsageError} otherwise, and for an instant in the future.
 */
export function parsePosition(text: string, flag: string, now = Date.now()): StreamPosition {
  if (/^\d{1,128}$/.test(text)) return { sequence: text };
  const m = INSTANT.exec(text);
  const [year, month, day] = [Number(m?.[1]), Number(m?.[2]), Number(m?.[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  const sameDay =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  const ms = m && sameDay ? Date.parse(m[4] === undefined ? `${text}T00:00:00Z` : normalise(text)) : NaN;
  if (!Number.isFinite(ms)) {
    throw new ReplayUsageError(
      `${flag} "${text}" is neither an ISO 8601 instant (2024-05-01T12:00:00Z, with Z or an offset) nor a sequence number (digits).`,
    );
  }
  if (ms > now) throw new ReplayUsageError(`${flag} ${text} is in the future.`);
  return { instant: new Date(ms) };
}

/** Date.parse takes at most milliseconds and wants `+hh:mm`. */
function normalise(text: string): string {
  return text.replace(/(\.\d{3})\d+/, '$1').replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
}

/** Options of {@link replayStream}. */
export interface ReplayOptions {
  /** The stream, by name or ARN. */
  readonly stream: string;
  /** `--from` as given: an ISO instant or a sequence number. */
  readonly from: string;
  /** `--to` as given. @default each shard's current end */
  readonly to?: string;
  /** Where the records go (see `resolveTarget`). */
  readonly target: ReplayTarget;
  /** The checkpoint file. @default {@link defaultCheckpointFile} of the arguments */
  readonly checkpointFile?: string;
  /** `--into` as given, for the default checkpoint name and the checkpoint's arguments. @default the target's id */
  readonly into?: string;
  /** Ignore (and overwrite) an existing checkpoint. */
  readonly restart?: boolean;
  /** Told the counts after every delivered run of records. */
  readonly onProgress?: (progress: ReplayProgress) => void;
  /** GetRecords `Limit`. @default 1000 */
  readonly pageSize?: number;
  /**
   * How long an `AT_TIMESTAMP` GetShardIterator may take before the shard is read from its start instead
   * (kinesalite never answers one for a shard with no record at or after the instant). @default 5000 ms
   */
  readonly iteratorTimeoutMs?: number;
  /** The clock, for tests. @default Date.now */
  readonly now?: () => number;
}

/** Counts so far, for a progress bar. */
export interface ReplayProgress {
  readonly read: number;
  readonly delivered: number;
  /** read ÷ the share of the time range covered so far, averaged over the shards. */
  readonly estimatedTotal: number;
  readonly shards: readonly ShardProgress[];
}

/** One shard's counts. */
export interface ShardProgress {
  readonly shardId: string;
  readonly read: number;
  readonly delivered: number;
  readonly skipped: number;
  readonly done: boolean;
}

/** What a replay did. */
export interface ReplayResult {
  readonly streamName: string;
  readonly target: string;
  readonly read: number;
  readonly delivered: number;
  /** Records read but deliberately not delivered (tombstones into a queue). */
  readonly skipped: number;
  readonly shards: readonly ShardProgress[];
  /** Whether a checkpoint was resumed. */
  readonly resumed: boolean;
  readonly checkpointFile: string;
}

/** The checkpoint file's contents. */
interface Checkpoint {
  readonly version: 1;
  readonly stream: string;
  readonly from: string;
  readonly to?: string;
  readonly into: string;
  /** Per shard: the last record delivered (or skipped), and whether the shard needs no more reading. */
  readonly shards: Record<string, { last?: string; done?: boolean }>;
  updatedAt: string;
}

/** `.conflux/replay/<stream>-<hash of from, to, into>.json`, relative to `cwd`. */
export function defaultCheckpointFile(
  options: { stream: string; from: string; to?: string; into: string },
  cwd = process.cwd(),
): string {
  const name = options.stream.split('/').pop() ?? options.stream;
  const hash = createHash('sha256')
    .update(JSON.stringify([options.from, options.to ?? null, options.into]))
    .digest('hex')
    .slice(0, 12);
  return path.join(cwd, '.conflux', 'replay', `${name.replace(/[^\w.-]/g, '_')}-${hash}.json`);
}

/** How one shard is read: where it starts (unless a checkpoint says otherwise) and where it ends. */
interface ShardPlan {
  readonly shardId: string;
  readonly parents: readonly string[];
  readonly start:
    | { readonly type: 'AT_TIMESTAMP'; readonly at: Date }
    | { readonly type: 'AT_SEQUENCE_NUMBER'; readonly sequence: string };
  /** Deliver up to and including this sequence number, then stop (the shard holding `--to`). */
  readonly endSequence?: bigint;
  /** Stop before the first record that arrived after this instant (ms). */
  readonly endMs?: number;
}

/**
 * Replays the stream into the target. Throws {@link ReplayUsageError} for bad positions and
 * {@link ReplayError} when the stream or a sequence number is unknown or the target refuses a record; the
 * checkpoint then holds everything delivered so far.
 */
export async function replayStream(kinesis: KinesisClient, options: ReplayOptions): Promise<ReplayResult> {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const from = parsePosition(options.from, '--from', startedAt);
  const to = options.to === undefined ? undefined : parsePosition(options.to, '--to', startedAt);
  if (to && 'instant' in to && 'instant' in from && to.instant < from.instant)
    throw new ReplayUsageError(`--to ${options.to ?? ''} is before --from ${options.from}.`);

  const stream = await describeStream(kinesis, options.stream);
  const shards = await listShards(kinesis, stream.name);
  const into = options.into ?? options.target.id;
  const checkpointFile =
    options.checkpointFile ??
    defaultCheckpointFile({ stream: stream.name, from: options.from, to: options.to, into });
  const checkpoint = loadCheckpoint(checkpointFile, {
    stream: stream.name,
    from: options.from,
    to: options.to,
    into,
    restart: options.restart === true,
  });
  const resumed = Object.keys(checkpoint.shards).length > 0;

  const start =
    'instant' in from ? { at: from.instant } : await locate(kinesis, stream, shards, from.sequence);
  const end =
    to === undefined
      ? undefined
      : 'instant' in to
        ? { at: to.instant }
        : await locate(kinesis, stream, shards, to.sequence);
  if (end && end.at < start.at)
    throw new ReplayUsageError(`--to ${options.to ?? ''} is before --from ${options.from}.`);
  const known = new Set(shards.map((s) => s.ShardId));
  const plans: ShardPlan[] = shards.map((shard) => {
    const shardId = shard.ShardId ?? '';
    return {
      shardId,
      parents: [shard.ParentShardId, shard.AdjacentParentShardId].filter(
        (p): p is string => p !== undefined && known.has(p),
      ),
      start:
        'shardId' in start && start.shardId === shardId
          ? { type: 'AT_SEQUENCE_NUMBER', sequence: start.sequence }
          : { type: 'AT_TIMESTAMP', at: start.at },
      ...(end && 'shardId' in end && end.shardId === shardId
        ? { endSequence: BigInt(end.sequence) }
        : end
          ? { endMs: end.at.getTime() }
          : {}),
    };
  });

  const counts = new Map<string, ShardProgress>(
    plans.map((p) => [
      p.shardId,
      {
        shardId: p.shardId,
        read: 0,
        delivered: 0,
        skipped: 0,
        done: checkpoint.shards[p.shardId]?.done === true,
      },
    ]),
  );
  const positions = new Map<string, number>(); // arrival (ms) of the last record read, per shard
  const rangeStart = start.at.getTime();
  const rangeEnd = Math.max(rangeStart + 1, end ? end.at.getTime() : startedAt);
  const report = () => {
    const all = [...counts.values()];
    const read = all.reduce((n, s) => n + s.read, 0);
    const covered =
      all.reduce((sum, s) => {
        if (s.done) return sum + 1;
        const at = positions.get(s.shardId);
        return at === undefined
          ? sum
          : sum + Math.min(1, Math.max(0, (at - rangeStart) / (rangeEnd - rangeStart)));
      }, 0) / Math.max(1, all.length);
    options.onProgress?.({
      read,
      delivered: all.reduce((n, s) => n + s.delivered, 0),
      estimatedTotal: covered > 0 ? Math.ceil(read / covered) : read,
      shards: all,
    });
  };
  const save = () => {
    checkpoint.updatedAt = new Date(now()).toISOString();
    mkdirSync(path.dirname(checkpointFile), { recursive: true });
    // Written whole and renamed, so an interruption leaves the previous checkpoint, never half of one.
    writeFileSync(`${checkpointFile}.tmp`, `${JSON.stringify(checkpoint, null, 2)}\n`);
    renameSync(`${checkpointFile}.tmp`, checkpointFile);
  };

  let failure: Error | undefined;
  const reader: ShardReader = {
    kinesis,
    stream,
    target: options.target,
    pageSize: options.pageSize ?? 1000,
    iteratorTimeoutMs: options.iteratorTimeoutMs ?? 5000,
    stopped: () => failure !== undefined,
    onRead: (shardId, records) => {
      const c = counts.get(shardId);
      if (c) counts.set(shardId, { ...c, read: c.read + records.length });
      const last = records[records.length - 1];
      if (last) positions.set(shardId, last.approximateArrivalTimestamp.getTime());
    },
    onDelivered: (shardId, last, delivered, skipped) => {
      const state = (checkpoint.shards[shardId] ??= {});
      state.last = last;
      const c = counts.get(shardId);
      if (c)
        counts.set(shardId, {
          ...c,
          delivered: c.delivered + delivered - skipped,
          skipped: c.skipped + skipped,
        });
      save();
      report();
    },
    onDone: (shardId) => {
      (checkpoint.shards[shardId] ??= {}).done = true;
      const c = counts.get(shardId);
      if (c) counts.set(shardId, { ...c, done: true });
      save();
      report();
    },
  };

  // Each shard waits for its parents, so a key's records in a parent are delivered before those in a child.
  const tasks = new Map<string, Promise<void>>();
  const run = (plan: ShardPlan): Promise<void> => {
    let task = tasks.get(plan.shardId);
    if (!task) {
      task = (async () => {
        await Promise.all(plans.filter((x) => plan.parents.includes(x.shardId)).map(run));
        const state = checkpoint.shards[plan.shardId];
        if (failure !== undefined || state?.done) return;
        try {
          await readShard(reader, plan, state?.last);
        } catch (error: unknown) {
          failure ??= error instanceof Error ? error : new ReplayError('a shard failed', { cause: error });
        }
      })();
      tasks.set(plan.shardId, task);
    }
    return task;
  };
  report();
  await Promise.all(plans.map(run));
  if (failure !== undefined) throw failure;
  save();
  const all = [...counts.values()];
  return {
    streamName: stream.name,
    target: options.target.id,
    read: all.reduce((n, s) => n + s.read, 0),
    delivered: all.reduce((n, s) => n + s.delivered, 0),
    skipped: all.reduce((n, s) => n + s.skipped, 0),
    shards: all,
    resumed,
    checkpointFile,
  };
}

/** A stream's name and ARN. */
export interface StreamRef {
  readonly name: string;
  readonly arn: string;
}

/** The stream, by name or ARN; {@link ReplayError} when it does not exist. */
export async function describeStream(kinesis: KinesisClient, stream: string): Promise<StreamRef> {
  // By name: an ARN's last part is the name, and kinesalite knows no StreamARN parameters.
  const name = stream.startsWith('arn:') ? stream.replace(/^.*:stream\//, '') : stream;
  try {
    const { StreamDescriptionSummary: s } = await kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: name }),
    );
    return { name: s?.StreamName ?? name, arn: s?.StreamARN ?? stream };
  } catch (error: unknown) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException')
      throw new ReplayError(`stream ${stream} does not exist: check the name, region and endpoint.`);
    throw error;
  }
}

/** Every shard the stream holds, open and closed. */
async function listShards(kinesis: KinesisClient, streamName: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let NextToken: string | undefined;
  do {
    // With NextToken, the stream must not be named again.
    const page = await kinesis.send(
      new ListShardsCommand(NextToken ? { NextToken } : { StreamName: streamName }),
    );
    shards.push(...(page.Shards ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return shards;
}

/**
 * The shard holding a sequence number and the record's arrival time: the shard that accepts an
 * `AT_SEQUENCE_NUMBER` iterator for it (Kinesis refuses one from another shard) and answers that record.
 */
async function locate(
  kinesis: KinesisClient,
  stream: StreamRef,
  shards: readonly Shard[],
  sequence: string,
): Promise<{ shardId: string; sequence: string; at: Date }> {
  for (const shard of shards) {
    const shardId = shard.ShardId ?? '';
    let iterator: string | undefined;
    try {
      ({ ShardIterator: iterator } = await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: stream.name,
          ShardId: shardId,
          ShardIteratorType: 'AT_SEQUENCE_NUMBER',
          StartingSequenceNumber: sequence,
        }),
      ));
    } catch (error: unknown) {
      if (error instanceof Error && error.name === 'InvalidArgumentException') continue;
      throw error;
    }
    const { Records = [] } = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1 }));
    const record = Records[0];
    if (record?.SequenceNumber === sequence && record.ApproximateArrivalTimestamp)
      return { shardId, sequence, at: record.ApproximateArrivalTimestamp };
  }
  throw new ReplayError(
    `sequence number ${sequence} is not a record of stream ${stream.name} (trimmed by retention, or from another stream).`,
  );
}

interface ShardReader {
  readonly kinesis: KinesisClient;
  readonly stream: StreamRef;
  readonly target: ReplayTarget;
  readonly pageSize: number;
  readonly iteratorTimeoutMs: number;
  stopped(): boolean;
  onRead(shardId: string, records: readonly ReplayRecord[]): void;
  onDelivered(shardId: string, lastSequence: string, delivered: number, skipped: number): void;
  onDone(shardId: string): void;
}

/** Reads one shard from its start (or after `after`) to its end, delivering page by page. */
async function readShard(reader: ShardReader, plan: ShardPlan, after: string | undefined): Promise<void> {
  const { kinesis, stream } = reader;
  // An instant read from the shard's start instead: records before it are dropped here.
  let notBefore: number | undefined;
  const iteratorAt = async (input: Omit<GetShardIteratorCommandInput, 'StreamName' | 'ShardId'>) =>
    (
      await kinesis.send(
        new GetShardIteratorCommand({ ...input, StreamName: stream.name, ShardId: plan.shardId }),
        input.ShardIteratorType === 'AT_TIMESTAMP'
          ? { abortSignal: AbortSignal.timeout(reader.iteratorTimeoutMs) }
          : {},
      )
    ).ShardIterator;
  let lastRead = after;
  const startIterator = async (): Promise<string | undefined> => {
    if (lastRead !== undefined)
      return iteratorAt({ ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: lastRead });
    if (plan.start.type === 'AT_SEQUENCE_NUMBER')
      return iteratorAt({
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        StartingSequenceNumber: plan.start.sequence,
      });
    if (notBefore !== undefined) return iteratorAt({ ShardIteratorType: 'TRIM_HORIZON' });
    try {
      return await iteratorAt({ ShardIteratorType: 'AT_TIMESTAMP', Timestamp: plan.start.at });
    } catch (error: unknown) {
      if (!(error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')))
        throw error;
      notBefore = plan.start.at.getTime();
      return iteratorAt({ ShardIteratorType: 'TRIM_HORIZON' });
    }
  };
  let iterator = await startIterator();
  while (iterator && !reader.stopped()) {
    let page;
    try {
      page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: reader.pageSize }));
    } catch (error: unknown) {
      // An iterator lives five minutes; a slow target can outlive it.
      if (!(error instanceof Error && error.name === 'ExpiredIteratorException')) throw error;
      iterator = await startIterator();
      continue;
    }
    const records: ReplayRecord[] = [];
    let ended = false;
    for (const r of page.Records ?? []) {
      const record: ReplayRecord = {
        shardId: plan.shardId,
        sequenceNumber: r.SequenceNumber ?? '',
        partitionKey: r.PartitionKey ?? '',
        data: r.Data ?? new Uint8Array(),
        approximateArrivalTimestamp: r.ApproximateArrivalTimestamp ?? new Date(0),
      };
      const arrival = record.approximateArrivalTimestamp.getTime();
      if (notBefore !== undefined && arrival < notBefore) {
        lastRead = record.sequenceNumber;
        continue;
      }
      if (plan.endMs !== undefined && arrival > plan.endMs) {
        ended = true;
        break;
      }
      records.push(record);
      if (plan.endSequence !== undefined && BigInt(record.sequenceNumber) >= plan.endSequence) {
        ended = true;
        break;
      }
    }
    reader.onRead(plan.shardId, records);
    if (records.length > 0) {
      const result = await reader.target.deliver(records);
      const lastDelivered = records[result.handled - 1];
      if (lastDelivered)
        reader.onDelivered(plan.shardId, lastDelivered.sequenceNumber, result.handled, result.skipped);
      if (result.handled < records.length) {
        throw new ReplayError(
          `${result.failure ?? 'the target refused a record'}; stopped at record ${records[result.handled]?.sequenceNumber ?? '?'} of ${plan.shardId}. Rerun the same command to resume from there.`,
        );
      }
      lastRead = records[records.length - 1]?.sequenceNumber ?? lastRead;
    }
    if (ended) break;
    iterator = page.NextShardIterator;
    if ((page.Records ?? []).length === 0) {
      // Caught up with an open shard: its end as of now. Behind but empty: Kinesis has more further on.
      if (iterator && (page.MillisBehindLatest ?? 0) === 0) return;
      if (iterator) await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  if (!reader.stopped()) reader.onDone(plan.shardId);
}

function loadCheckpoint(
  file: string,
  args: { stream: string; from: string; to?: string; into: string; restart: boolean },
): Checkpoint {
  const fresh: Checkpoint = {
    version: 1,
    stream: args.stream,
    from: args.from,
    ...(args.to === undefined ? {} : { to: args.to }),
    into: args.into,
    shards: {},
    updatedAt: new Date().toISOString(),
  };
  if (args.restart || !existsSync(file)) return fresh;
  let saved: Checkpoint;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8')) as Checkpoint;
  } catch (error: unknown) {
    throw new ReplayError(
      `checkpoint ${file} is not readable JSON (${error instanceof Error ? error.message : String(error)}): delete it or pass --restart.`,
    );
  }
  const same =
    saved.stream === args.stream &&
    saved.from === args.from &&
    saved.to === args.to &&
    saved.into === args.into;
  if (!same) {
    throw new ReplayError(
      `checkpoint ${file} belongs to another replay (--stream ${saved.stream} --from ${saved.from}${saved.to === undefined ? '' : ` --to ${saved.to}`} --into ${saved.into}): pass --restart to overwrite it, or another --checkpoint.`,
    );
  }
  return { ...saved, shards: { ...saved.shards } };
}
