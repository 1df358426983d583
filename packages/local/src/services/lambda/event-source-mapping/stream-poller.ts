import { randomUUID } from 'node:crypto';
import { filterView, matchesAny, type Pattern } from './event-filter.js';
import { PollBackoff } from './poll-backoff.js';
import type { FunctionError, LambdaHost } from '../host.js';
import { failureLine } from './failure-line.js';
import { batchItemFailures } from './sqs-poller.js';

/** One record read from a shard, in the shape the function receives, with what the poller needs to know of it. */
export interface ShardRecord {
  readonly sequenceNumber: string;
  /** When the record reached the stream. */
  readonly arrival: Date;
  /** The record as the Lambda event carries it. */
  readonly event: unknown;
}

/** Reads one shard in order. */
export interface ShardReader {
  readonly shardId: string;
  /** Up to `limit` records; `closed` when the shard has ended and everything was read. */
  read(limit: number): Promise<{ records: ShardRecord[]; closed: boolean }>;
}

/**
 * A reader over shard iterators: each read fetches a page from the current iterator and moves to the next
 * one; the shard is closed when there is no next iterator.
 */
export function iteratorReader(
  shardId: string,
  firstIterator: string | undefined,
  fetch: (iterator: string, limit: number) => Promise<{ records: ShardRecord[]; next?: string }>,
): ShardReader {
  let iterator = firstIterator;
  return {
    shardId,
    read: async (limit) => {
      if (!iterator) return { records: [], closed: true };
      const page = await fetch(iterator, limit);
      iterator = page.next;
      return { records: page.records, closed: iterator === undefined };
    },
  };
}

/** A Kinesis stream or DynamoDB stream as a source of shards. */
export interface StreamSource {
  /** `Kinesis` or `DDBStream`: names the batch info of the on-failure record. */
  readonly kind: 'Kinesis' | 'DDBStream';
  readonly arn: string;
  /** Shards to read now; called again to find shards opened later. */
  shards(): Promise<string[]>;
  /**
   * Opens a shard at the starting position (`AT_TIMESTAMP`: the first record that arrived at or after
   * `timestampMs`), or just after `afterSequenceNumber` when resuming.
   */
  open(
    shardId: string,
    startingPosition: StartingPosition,
    afterSequenceNumber?: string,
    timestampMs?: number,
  ): Promise<ShardReader>;
  /** The record as a mapping of the stream's declared view type receives it (DynamoDB streams). */
  project?(record: ShardRecord, viewType: StreamViewType): ShardRecord;
}

/** Where a mapping starts reading a shard. `AT_TIMESTAMP` is for Kinesis streams only, as on AWS. */
export type StartingPosition = 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';

/** What a DynamoDB stream record holds of the item. */
export type StreamViewType = 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';

/** A stream event source mapping as the template declares it. */
export interface StreamMappingSpec {
  readonly id: string;
  readonly functionName: string;
  readonly functionArn: string;
  readonly region: string;
  readonly startingPosition: StartingPosition;
  /**
   * Per shard, the sequence number a mapping had got to in an earlier run (`conflux local --persist`): the
   * shard is read from just after it instead of from `startingPosition`, as a mapping on AWS carries on
   * where it was. A position the stream no longer has falls back to `startingPosition`, with a line.
   */
  readonly resumeAfter?: Readonly<Record<string, string>>;
  /** With `AT_TIMESTAMP`: `StartingPositionTimestamp`, in epoch milliseconds. */
  readonly startingPositionTimestampMs?: number;
  /**
   * How long a shard that had nothing waits before it is read again: 250 ms by default (shared throughput),
   * shorter for an enhanced fan-out consumer, whose records are pushed within about 70 ms on AWS.
   */
  readonly pollIntervalMs?: number;
  /** A DynamoDB stream's view type as the template declares it; records are projected down to it. */
  readonly streamViewType?: StreamViewType;
  /** @default 100 */
  readonly batchSize: number;
  readonly bisectOnError: boolean;
  /** -1 retries until the records expire. */
  readonly maxRetryAttempts: number;
  /** -1 never expires. */
  readonly maxRecordAgeSeconds: number;
  readonly reportBatchItemFailures: boolean;
  /** `FilterCriteria` patterns; records that match none are passed over. */
  readonly filters: readonly Pattern[];
  /** Sends the on-failure record (a JSON string) to the configured SQS queue or SNS topic. */
  readonly onFailure?: (record: string) => Promise<void>;
}

/** What happened to one batch, for logs and tests. */
export interface StreamBatchOutcome {
  readonly mapping: string;
  readonly shardId: string;
  readonly invoked: number;
  readonly succeeded: number;
  readonly discarded: number;
  /** The function's last error while delivering the batch, if it returned one. */
  readonly error?: FunctionError;
}

/** Where a mapping has got to in one shard: the last record it is done with (delivered or discarded). */
export interface ShardPosition {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly arrival: Date;
}

/** The stream pollers running now, by the host they invoke (one per runtime), for the local console. */
const running = new WeakMap<LambdaHost, Set<StreamPoller>>();

/**
 * Polls every shard of a stream and invokes a function with batches, as Lambda's Kinesis and DynamoDB
 * Streams mappings do: one batch per shard at a time, in order; a failing batch blocks its shard and is
 * retried; with `ReportBatchItemFailures` the retry starts at the lowest failed sequence number; with
 * bisection a function error splits the batch in halves (not counted as retries); after
 * `maxRetryAttempts` or `maxRecordAgeSeconds` the rest of the batch is discarded and one invocation record
 * goes to the on-failure destination.
 */
export class StreamPoller {
  private running = false;
  /** The last record done with in each shard. */
  private readonly checkpoints = new Map<string, ShardPosition>();
  private readonly shardLoops = new Map<string, Promise<void>>();
  private discovery?: Promise<void>;
  private readonly backoff = new PollBackoff((line) => {
    this.log(`[esm ${this.spec.id}] ${line}`);
  });

  constructor(
    private readonly host: LambdaHost,
    private readonly source: StreamSource,
    private readonly spec: StreamMappingSpec,
    private readonly onBatch: (outcome: StreamBatchOutcome) => void = () => undefined,
    private readonly pollIntervalMs = 250,
    /** Where the poller's own lines go (a failed batch, back-off). */
    private readonly log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {}

  /** A shard closed since discovery last looked: look again now, for its children. */
  private woken = false;
  private wake?: () => void;

  /** Starts reading every shard, and looks for new shards every 10 s and whenever a shard closes. */
  public start(): void {
    this.running = true;
    this.backoff.start();
    this.discovery = this.discover();
    const pollers = running.get(this.host) ?? new Set<StreamPoller>();
    running.set(this.host, pollers.add(this));
  }

  /** The stream pollers running on `host`, for the local console (read-only). */
  public static runningOn(host: LambdaHost): readonly StreamPoller[] {
    return [...(running.get(host) ?? [])];
  }

  /** The mapping, its stream, and how far it has read each shard (read-only: for the local console). */
  public position(): {
    readonly mapping: string;
    readonly functionName: string;
    readonly sourceArn: string;
    readonly shards: readonly ShardPosition[];
  } {
    return {
      mapping: this.spec.id,
      functionName: this.spec.functionName,
      sourceArn: this.source.arn,
      shards: [...this.checkpoints.values()],
    };
  }

  /** Stops reading and waits for batches in flight. */
  public async stop(): Promise<void> {
    this.running = false;
    running.get(this.host)?.delete(this);
    this.backoff.stop();
    this.wakeDiscovery();
    await Promise.allSettled([this.discovery, ...this.shardLoops.values()]);
  }

  private async discover(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        for (const shardId of await this.source.shards()) {
          if (!this.shardLoops.has(shardId)) this.shardLoops.set(shardId, this.readShard(shardId));
        }
        failures = 0;
        // New shards appear when one closes (a split, or a DynamoDB stream's shard rolling over), which wakes
        // this early; the periodic look is a backstop. Every second per stream was most of an idle runtime's
        // requests to its engines.
        if (!this.woken) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, DISCOVERY_INTERVAL_MS);
            this.wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
        this.woken = false;
        this.wake = undefined;
      } catch (error: unknown) {
        failures += 1;
        await this.failed(error instanceof Error ? error.message : String(error), 1000, failures);
      }
    }
  }

  /** Ends discovery's wait, or — if it is asking the stream right now — makes it look again at once. */
  private wakeDiscovery(): void {
    this.woken = true;
    this.wake?.();
  }

  private async failed(what: string, baseMs: number, failures: number): Promise<void> {
    await this.backoff.failed(what, failures, baseMs, () => this.running);
  }

  private async readShard(shardId: string): Promise<void> {
    // A position kept from an earlier run is only a hint until a read past it succeeds.
    let resumed = this.spec.resumeAfter?.[shardId];
    let checkpoint = resumed;
    let reader: ShardReader | undefined;
    let failures = 0;
    while (this.running) {
      try {
        try {
          reader ??= await this.source.open(
            shardId,
            this.spec.startingPosition,
            checkpoint,
            this.spec.startingPositionTimestampMs,
          );
        } catch (error: unknown) {
          if (resumed === undefined || checkpoint !== resumed) throw error;
          // The kept position is gone (trimmed, or the stream is not the one it was): start as declared.
          this.log(
            `[esm ${this.spec.id}] ${shardId}: the position kept from the last run is no longer in the stream (${error instanceof Error ? error.name : String(error)}); reading from ${this.spec.startingPosition}`,
          );
          resumed = undefined;
          checkpoint = undefined;
          continue;
        }
        resumed = undefined;
        const { records, closed } = await this.readProjected(reader);
        failures = 0;
        this.backoff.succeeded();
        const kept = records.filter((r) => matchesAny(this.spec.filters, this.filterView(r)));
        if (kept.length > 0) await this.deliver(shardId, kept);
        // Stopped mid-batch: the batch may not be done, so the position stays before it (delivered again at
        // the next start with --persist, at least once as on AWS).
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() may run during the await
        if (!this.running) return;
        const last = records[records.length - 1];
        if (last) {
          checkpoint = last.sequenceNumber;
          this.checkpoints.set(shardId, {
            shardId,
            sequenceNumber: last.sequenceNumber,
            arrival: last.arrival,
          });
        }
        if (closed) {
          this.wakeDiscovery();
          return;
        }
        if (records.length === 0) await sleep(this.spec.pollIntervalMs ?? this.pollIntervalMs);
      } catch (error: unknown) {
        // An expired or trimmed iterator: reopen after the checkpoint, as Lambda resumes a shard.
        reader = undefined;
        failures += 1;
        const name = error instanceof Error ? error.name : String(error);
        await this.failed(`${shardId}: ${name}; reopening`, this.pollIntervalMs, failures);
      }
    }
  }

  /** A page of the shard, each record as the declared view type shows it. */
  private async readProjected(reader: ShardReader): Promise<{ records: ShardRecord[]; closed: boolean }> {
    const page = await reader.read(this.spec.batchSize);
    const view = this.spec.streamViewType;
    const project = this.source.project?.bind(this.source);
    if (view === undefined || project === undefined) return page;
    return { records: page.records.map((r) => project(r, view)), closed: page.closed };
  }

  /** What filters see: a Kinesis record's `kinesis` fields with `data` decoded, or the DynamoDB record. */
  private filterView(record: ShardRecord): Record<string, unknown> {
    const event = record.event as Record<string, unknown>;
    if (this.source.kind === 'Kinesis')
      return filterView((event.kinesis ?? {}) as Record<string, unknown>, 'data');
    return event;
  }

  /** Delivers one batch until it succeeds or is discarded; the shard waits meanwhile. */
  private async deliver(shardId: string, batch: ShardRecord[]): Promise<void> {
    const queue: ShardRecord[][] = [batch];
    let invoked = 0;
    let succeeded = 0;
    let discarded = 0;
    let lastError: FunctionError | undefined;
    // A batch retried with the same error is one line, not one per retry.
    let lastLine: string | undefined;
    const report = (line: string) => {
      if (line !== lastLine) this.log(`[esm ${this.spec.id}] ${line}`);
      lastLine = line;
    };
    while (queue.length > 0 && this.running) {
      let pending = queue.shift() ?? [];
      let attempts = 0;
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() may run during an await
      while (pending.length > 0 && this.running) {
        attempts += 1;
        invoked += 1;
        const result = await this.host.invoke(this.spec.functionName, {
          Records: pending.map((r) => r.event),
        });
        let failedFrom: number | undefined;
        let functionError: string | null = null;
        const what = `on a batch of ${pending.length} from ${shardId}`;
        if (!result.ok) {
          functionError = 'Unhandled';
          failedFrom = 0;
          lastError = result.error;
          report(failureLine(this.spec.functionName, what, result.error));
        } else if (this.spec.reportBatchItemFailures) {
          const ids = new Set(pending.map((r) => r.sequenceNumber));
          const failed = batchItemFailures(result.payload, ids);
          if (failed === undefined) {
            failedFrom = 0;
            report(
              `${this.spec.functionName} ${what}: its response is not a valid batchItemFailures report (an unknown or empty itemIdentifier, or another key), so the whole batch failed`,
            );
          } else if (failed.length > 0) {
            failedFrom = Math.min(...failed.map((seq) => pending.findIndex((r) => r.sequenceNumber === seq)));
          }
        }
        if (failedFrom === undefined) {
          succeeded += pending.length;
          pending = [];
          break;
        }
        succeeded += failedFrom;
        pending = pending.slice(failedFrom);
        if (!result.ok && this.spec.bisectOnError && pending.length > 1) {
          // Halves are retried separately, first half first, and splitting does not use up retries.
          const half = Math.ceil(pending.length / 2);
          queue.unshift(pending.slice(0, half), pending.slice(half));
          pending = [];
          break;
        }
        const expired =
          this.spec.maxRecordAgeSeconds >= 0 &&
          Date.now() - (pending[0]?.arrival.getTime() ?? Date.now()) > this.spec.maxRecordAgeSeconds * 1000;
        const exhausted = this.spec.maxRetryAttempts >= 0 && attempts > this.spec.maxRetryAttempts;
        if (expired || exhausted) {
          discarded += pending.length;
          report(
            `${this.spec.functionName}: ${pending.length} record(s) of ${shardId} discarded after ${attempts} attempt(s) (${expired ? 'RecordAgeExceeded' : 'RetryAttemptsExhausted'})`,
          );
          await this.spec.onFailure?.(
            this.failureRecord(
              shardId,
              pending,
              expired ? 'RecordAgeExceeded' : 'RetryAttemptsExhausted',
              attempts,
              functionError,
            ),
          );
          pending = [];
          break;
        }
        await sleep(Math.min(1000, 50 * 2 ** Math.min(attempts, 5)));
      }
    }
    this.onBatch({
      mapping: this.spec.id,
      shardId,
      invoked,
      succeeded,
      discarded,
      ...(lastError ? { error: lastError } : {}),
    });
  }

  private failureRecord(
    shardId: string,
    records: ShardRecord[],
    condition: string,
    attempts: number,
    functionError: string | null,
  ): string {
    const first = records[0];
    const last = records[records.length - 1];
    const time = (d: Date | undefined) => {
      const iso = (d ?? new Date()).toISOString();
      return this.source.kind === 'DDBStream' ? `${iso.slice(0, 19)}Z` : iso;
    };
    return JSON.stringify({
      requestContext: {
        requestId: randomUUID(),
        functionArn: this.spec.functionArn,
        condition,
        approximateInvokeCount: attempts,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError },
      version: '1.0',
      timestamp: new Date().toISOString(),
      [`${this.source.kind}BatchInfo`]: {
        shardId,
        startSequenceNumber: first?.sequenceNumber,
        endSequenceNumber: last?.sequenceNumber,
        approximateArrivalOfFirstRecord: time(first?.arrival),
        approximateArrivalOfLastRecord: time(last?.arrival),
        batchSize: records.length,
        streamArn: this.source.arn,
      },
    });
  }
}

/** How often a stream is asked for new shards when none has closed. */
const DISCOVERY_INTERVAL_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
