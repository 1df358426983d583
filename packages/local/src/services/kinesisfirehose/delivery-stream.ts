import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { evaluatePrefix, objectName } from './prefix.js';
import {
  FAILED_ATTEMPTS,
  transformRecords,
  type FailedRecord,
  type InvokeTransform,
  type TransformConfig,
} from './transform.js';

const gzipAsync = promisify(gzip);

/** One record as Firehose keeps it between arrival and delivery. */
export interface BufferedRecord {
  readonly recordId: string;
  readonly data: Buffer;
  readonly arrival: Date;
  /** For a Kinesis source: what the transformation event's `kinesisRecordMetadata` says. */
  readonly kinesis?: {
    readonly shardId: string;
    readonly partitionKey: string;
    readonly sequenceNumber: string;
    readonly approximateArrivalTimestamp: number;
  };
}

/** A delivery stream's S3 destination, resolved from `ExtendedS3DestinationConfiguration`. */
export interface S3Destination {
  readonly bucket: string;
  readonly prefix: string;
  readonly errorOutputPrefix: string;
  readonly sizeBytes: number;
  readonly intervalMs: number;
  readonly gzip: boolean;
  readonly fileExtension: string;
  /** The `AppendDelimiterToRecord` processor: `\n` after each record (after the Lambda's transformation). */
  readonly appendDelimiter?: boolean;
  readonly transform?: TransformConfig;
}

/** Writes one object to local S3. */
export type PutObject = (bucket: string, key: string, body: Buffer) => Promise<void>;

/** What a delivery stream needs from the runtime. */
export interface DeliveryDeps {
  readonly putObject: PutObject;
  readonly invoke: InvokeTransform;
  readonly region: string;
  readonly log: (line: string) => void;
  /** Waits between retries of a failed S3 write. @default 1 s, doubling to 30 s */
  readonly retryDelayMs?: (attempt: number) => number;
}

/** What one delivery wrote, for the runtime's log and tests. */
export interface DeliveryReport {
  readonly objects: readonly string[];
  readonly delivered: number;
  readonly dropped: number;
  readonly failed: number;
}

/**
 * One delivery stream: records are buffered until the buffer holds `SizeInMBs` or its oldest record has
 * waited `IntervalInSeconds`, whichever comes first; then the buffer is transformed (when a Lambda processor
 * is set), and written as one object under the evaluated prefix, with failed records as one object under the
 * error prefix. S3 writes are retried until they succeed, so no accepted record is lost while the runtime runs.
 */
export class DeliveryStream {
  private buffer: BufferedRecord[] = [];
  private bytes = 0;
  private timer?: NodeJS.Timeout;
  private chain: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    public readonly name: string,
    public readonly arn: string,
    /** Where it delivers, as the template set it. */
    public readonly destination: S3Destination,
    private readonly deps: DeliveryDeps,
    private readonly reports: (report: DeliveryReport) => void = () => undefined,
  ) {}

  /** Takes records in; a buffer that reaches the size is delivered at once. */
  public accept(records: readonly BufferedRecord[]): void {
    for (const record of records) {
      this.buffer.push(record);
      this.bytes += record.data.length;
      if (this.bytes >= this.destination.sizeBytes) void this.flush();
    }
    if (this.buffer.length > 0 && !this.timer && !this.stopped) {
      // The interval runs from the buffer's first record reaching Firehose, not from its arrival in a
      // Kinesis source (which may be long before, when the reader was behind).
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.destination.intervalMs);
      this.timer.unref();
    }
  }

  /** Delivers what is buffered now; resolves once every delivery started so far has been written. */
  public flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const records = this.buffer;
    this.buffer = [];
    this.bytes = 0;
    // One delivery failing (a stopping runtime giving up on S3) must not stop the ones after it.
    if (records.length > 0) {
      this.chain = this.chain
        .then(async () => this.deliver(records))
        .catch((error: unknown) => {
          this.deps.log(
            `[firehose] ${this.name}: ${records.length} records were not delivered (${error instanceof Error ? error.message : String(error)})`,
          );
        });
    }
    return this.idle();
  }

  /** Settles once every delivery started so far has ended. */
  public async idle(): Promise<void> {
    await this.chain.catch(() => undefined);
  }

  /** Delivers what is left and takes no more timers. */
  public async stop(): Promise<void> {
    this.stopped = true;
    await this.flush();
  }

  private async deliver(records: readonly BufferedRecord[]): Promise<void> {
    const { destination } = this;
    const transformed = destination.transform
      ? await transformRecords(records, destination.transform, this.arn, this.deps)
      : { ok: records.map((r) => ({ record: r, data: r.data })), dropped: 0, failed: [] as FailedRecord[] };
    const objects: string[] = [];
    if (transformed.ok.length > 0) {
      const at = oldest(transformed.ok.map((o) => o.record));
      const key = this.key(evaluatePrefix(destination.prefix, { at }));
      const newline = Buffer.from('\n');
      const data = transformed.ok.flatMap((o) =>
        destination.appendDelimiter ? [o.data, newline] : [o.data],
      );
      await this.write(key, Buffer.concat(data));
      objects.push(key);
    }
    if (transformed.failed.length > 0) {
      const at = oldest(transformed.failed.map((f) => f.record));
      const key = this.key(
        evaluatePrefix(destination.errorOutputPrefix, { at, errorOutputType: 'processing-failed' }),
      );
      const lines = transformed.failed.map((f) => `${JSON.stringify(failedLine(f))}\n`).join('');
      await this.write(key, Buffer.from(lines));
      objects.push(key);
    }
    this.reports({
      objects,
      delivered: transformed.ok.length,
      dropped: transformed.dropped,
      failed: transformed.failed.length,
    });
  }

  private key(prefix: string): string {
    return `${prefix}${objectName(this.name, 1, new Date(), randomUUID(), this.destination.fileExtension)}`;
  }

  private async write(key: string, data: Buffer): Promise<void> {
    // Off the event loop: a buffer may be 128 MiB, and the gateway and pollers share the thread.
    const body = this.destination.gzip ? await gzipAsync(data) : data;
    const delay = this.deps.retryDelayMs ?? ((n: number) => Math.min(1000 * 2 ** (n - 1), 30_000));
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.deps.putObject(this.destination.bucket, key, body);
        return;
      } catch (error: unknown) {
        const reason = error instanceof Error ? error.name : 'an error';
        this.deps.log(
          `[firehose] ${this.name}: writing s3://${this.destination.bucket}/${key} failed (${reason}); retrying`,
        );
        if (this.stopped && attempt >= FAILED_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay(attempt)));
      }
    }
  }
}

/** The arrival of the oldest record: a loop, since a 128 MiB buffer holds more records than `Math.min(...)` takes. */
function oldest(records: readonly BufferedRecord[]): Date {
  let at = Infinity;
  for (const r of records) at = Math.min(at, r.arrival.getTime());
  return new Date(at);
}

/** A failed record as Firehose writes it to the error prefix (developer guide, "Data transformation failure handling"). */
function failedLine(f: FailedRecord): Record<string, unknown> {
  return {
    attemptsMade: f.attemptsMade,
    arrivalTimestamp: f.record.arrival.getTime(),
    errorCode: f.errorCode,
    errorMessage: f.errorMessage,
    attemptEndingTimestamp: f.attemptEndingTimestamp,
    rawData: f.record.data.toString('base64'),
    lambdaArn: f.lambdaArn,
  };
}
