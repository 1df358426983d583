import { randomBytes } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { ServiceEndpoint, ServiceRuntime, ServiceState } from '../../core/services.js';
import { KinesisService } from '../kinesis/service.js';
import { LambdaService } from '../lambda/service.js';
import { S3Service } from '../s3/service.js';
import { FirehoseApi } from './api.js';
import {
  DeliveryStream,
  type BufferedRecord,
  type DeliveryReport,
  type S3Destination,
} from './delivery-stream.js';
import { KinesisSourceReader } from './kinesis-source.js';

/** A delivery stream as the runtime keeps it. */
interface Kept {
  readonly stream: DeliveryStream;
  /** The Kinesis stream it reads, for a `KinesisStreamAsSource` stream. */
  readonly source?: { readonly arn: string; readonly reader: KinesisSourceReader };
  readonly createdAt: Date;
}

/** The most delivery reports a stream keeps for the next `flush` answer. */
const KEPT_REPORTS = 100;

/** What `flush` answers: what each delivery stream wrote. */
export type FlushReport = Record<string, DeliveryReport[]>;

/**
 * Firehose of one runtime: the delivery streams of the templates, their direct-put API (`PutRecord`,
 * `PutRecordBatch`, `DescribeDeliveryStream`, `ListDeliveryStreams`), their Kinesis sources, and delivery into
 * the local S3 engine. `POST /_conflux/firehose/flush` (and {@link flush}) delivers every buffer now.
 */
export class FirehoseService implements ServiceState {
  private readonly streams = new Map<string, Kept>();
  private readonly api = new FirehoseApi(this);
  private readonly log: (line: string) => void;
  /** What each stream delivered since the last `flush` answer. */
  private readonly delivered = new Map<string, DeliveryReport[]>();

  constructor(private readonly runtime: ServiceRuntime) {
    this.log =
      runtime.options.log ??
      ((line: string) => {
        process.stderr.write(`${line}\n`);
      });
  }

  /** Adds a delivery stream; a Kinesis source starts being read when the runtime starts. */
  public add(name: string, arn: string, destination: S3Destination, sourceStreamArn?: string): void {
    const s3 = this.runtime.service(S3Service);
    const lambda = this.runtime.service(LambdaService);
    const stream = new DeliveryStream(
      name,
      arn,
      destination,
      {
        putObject: async (bucket, key, body) => {
          await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
        },
        invoke: async (fn, event) => lambda.host.invoke(fn, event),
        region: this.runtime.env.region,
        log: this.log,
      },
      (report) => {
        // Kept for the next `flush` answer only; a runtime nobody flushes keeps the last few.
        const list = this.delivered.get(name) ?? [];
        list.push(report);
        if (list.length > KEPT_REPORTS) list.splice(0, list.length - KEPT_REPORTS);
        this.delivered.set(name, list);
        this.log(
          `[firehose] ${name}: ${report.delivered} delivered, ${report.dropped} dropped, ${report.failed} failed → ${report.objects.join(', ') || 'nothing'}`,
        );
      },
    );
    const source = sourceStreamArn
      ? {
          arn: sourceStreamArn,
          reader: new KinesisSourceReader(
            this.runtime.service(KinesisService).client,
            sourceStreamArn.split(':stream/')[1] ?? sourceStreamArn,
            (records) => {
              stream.accept(records);
            },
            this.log,
            recordId,
          ),
        }
      : undefined;
    this.streams.set(name, { stream, ...(source ? { source } : {}), createdAt: new Date() });
  }

  /** A delivery stream of the application, by name or ARN. */
  public deliveryStream(nameOrArn: string):
    | {
        readonly name: string;
        readonly arn: string;
        readonly sourceArn?: string;
        readonly createdAt: Date;
        readonly destination: S3Destination;
      }
    | undefined {
    const kept =
      this.streams.get(nameOrArn) ?? [...this.streams.values()].find((k) => k.stream.arn === nameOrArn);
    if (!kept) return undefined;
    return {
      name: kept.stream.name,
      arn: kept.stream.arn,
      createdAt: kept.createdAt,
      destination: kept.stream.destination,
      ...(kept.source ? { sourceArn: kept.source.arn } : {}),
    };
  }

  /** Every delivery stream's name. */
  public names(): string[] {
    return [...this.streams.keys()].sort();
  }

  /** Takes direct-put records in and answers their record ids; throws when the stream does not exist. */
  public put(name: string, data: readonly Buffer[]): string[] {
    const kept = this.streams.get(name);
    if (!kept) throw new Error(`no delivery stream ${name}`);
    const now = new Date();
    const records: BufferedRecord[] = data.map((d) => ({ recordId: recordId(), data: d, arrival: now }));
    kept.stream.accept(records);
    return records.map((r) => r.recordId);
  }

  /**
   * Reads the Kinesis sources once more, delivers every buffer now and resolves with what was delivered
   * since the last call: for tests and for seeing the raw zone without waiting for the buffer interval.
   */
  public async flush(nameOrArn?: string): Promise<FlushReport> {
    const chosen = [...this.streams.values()].filter(
      (k) => nameOrArn === undefined || k.stream.name === nameOrArn || k.stream.arn === nameOrArn,
    );
    if (nameOrArn !== undefined && chosen.length === 0) throw new Error(`no delivery stream ${nameOrArn}`);
    await Promise.all(chosen.map(async (k) => k.source?.reader.poll()));
    await Promise.all(chosen.map(async (k) => k.stream.flush()));
    const report: FlushReport = {};
    for (const k of chosen) {
      report[k.stream.name] = this.delivered.get(k.stream.name) ?? [];
      this.delivered.delete(k.stream.name);
    }
    return report;
  }

  /** Settles once every delivery under way has been written. */
  public async idle(): Promise<void> {
    await Promise.all([...this.streams.values()].map(async (k) => k.stream.idle()));
  }

  public async listen(): Promise<readonly ServiceEndpoint[]> {
    return [{ name: 'firehose', sdkId: 'FIREHOSE', url: await this.api.listen() }];
  }

  public async start(): Promise<void> {
    for (const k of this.streams.values()) await k.source?.reader.start();
  }

  public async close(): Promise<void> {
    await this.api.close();
  }

  public async halt(): Promise<void> {
    await Promise.all([...this.streams.values()].map(async (k) => k.source?.reader.stop()));
  }

  /** Delivers what is buffered, so nothing accepted is lost on a clean stop. */
  public async stop(): Promise<void> {
    await Promise.allSettled([...this.streams.values()].map(async (k) => k.stream.stop()));
  }
}

const ID_BYTES = 42;
/** Random bytes for the next 256 record ids: one `randomBytes` call per 256 ids, not one per record. */
let pool = Buffer.alloc(0);
let used = 0;

/** A record id as Firehose answers them: long and opaque. */
function recordId(): string {
  if (used + ID_BYTES > pool.length) {
    pool = randomBytes(ID_BYTES * 256);
    used = 0;
  }
  used += ID_BYTES;
  return pool.subarray(used - ID_BYTES, used).toString('base64url');
}
