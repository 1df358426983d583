import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { filterView, matchesAny, type Pattern } from './event-filter.js';
import type { FunctionError, LambdaHost } from '../host.js';
import { failureLine } from './failure-line.js';
import { PollBackoff } from './poll-backoff.js';

/** An SQS event source mapping as the template declares it. */
export interface SqsMappingSpec {
  readonly id: string;
  readonly functionName: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly region: string;
  /** @default 10 */
  readonly batchSize: number;
  /** @default 0 */
  readonly maxBatchingWindowSeconds: number;
  readonly reportBatchItemFailures: boolean;
  /** Concurrent batches in flight; Lambda starts with five. */
  readonly maxConcurrency: number;
  /** `FilterCriteria` patterns; a message that matches none is deleted without invoking. */
  readonly filters: readonly Pattern[];
}

/** What one poll-and-invoke did, for logs and tests. */
export interface BatchOutcome {
  readonly mapping: string;
  readonly received: number;
  readonly deleted: number;
  readonly failed: readonly string[];
  /** Why the whole batch failed: the function's error, when it returned one. */
  readonly error?: FunctionError;
}

/**
 * Polls an SQS queue and invokes a function with batches, as Lambda's event source mapping does: batch
 * size and window, `maxConcurrency` batches in flight, and deletion of what succeeded only. With
 * `ReportBatchItemFailures` the listed ids stay on the queue; a thrown error, a malformed response, or an
 * id that is not in the batch fails the whole batch. Failed messages come back after the queue's
 * visibility timeout, and the queue's redrive policy moves them to its DLQ.
 */
export class SqsPoller {
  private running = false;
  private loops: Promise<void>[] = [];
  /** Ends the long polls in flight when the poller stops. */
  private abort = new AbortController();
  /** Shared by the loops: a run of failures is logged once, not once per loop. */
  private readonly backoff = new PollBackoff((line) => {
    this.log(`[esm ${this.spec.id}] ${line}`);
  });

  constructor(
    private readonly sqs: SQSClient,
    private readonly host: LambdaHost,
    private readonly spec: SqsMappingSpec,
    private readonly onBatch: (outcome: BatchOutcome) => void = () => undefined,
    /** Where the poller's own lines go (a failed batch, back-off). */
    private readonly log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {}

  /** Starts `maxConcurrency` polling loops. */
  public start(): void {
    this.running = true;
    this.abort = new AbortController();
    this.backoff.start();
    this.loops = Array.from({ length: this.spec.maxConcurrency }, () => this.loop());
  }

  /** Stops polling and waits for batches in flight. */
  public async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    this.backoff.stop();
    await Promise.allSettled(this.loops);
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const messages = await this.collectBatch();
        failures = 0;
        this.backoff.succeeded();
        if (messages.length > 0) this.onBatch(await this.process(messages));
      } catch (error: unknown) {
        if (this.abort.signal.aborted) return; // stopped while a long poll was open
        // The engine went away or refused: back off as Lambda does, then poll again.
        failures += 1;
        const what = error instanceof Error ? error.message : String(error);
        await this.backoff.failed(`${what}; retrying with back-off`, failures, 1000, () => this.running);
      }
    }
  }

  private async collectBatch(): Promise<Message[]> {
    const batch: Message[] = [];
    const windowEnds = Date.now() + this.spec.maxBatchingWindowSeconds * 1000;
    while (this.running && batch.length < this.spec.batchSize) {
      // Long polling, as Lambda's pollers do: an empty queue costs one request per 20 s, not one per second,
      // and a message is received as soon as it arrives. Within a batching window, no longer than what is left.
      const left = Math.ceil((windowEnds - Date.now()) / 1000);
      const { Messages = [] } = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.spec.queueUrl,
          MaxNumberOfMessages: Math.min(10, this.spec.batchSize - batch.length),
          WaitTimeSeconds: batch.length === 0 ? 20 : Math.min(20, Math.max(0, left)),
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
        { abortSignal: this.abort.signal },
      );
      batch.push(...Messages);
      if (Date.now() >= windowEnds && (batch.length > 0 || Messages.length === 0)) break;
    }
    return batch;
  }

  private async process(messages: Message[]): Promise<BatchOutcome> {
    const all = messages.map((m) => this.record(m));
    // Messages no filter matches are deleted, as Lambda does, and never reach the function.
    const records = all.filter((r) =>
      matchesAny(this.spec.filters, filterView(r as unknown as Record<string, unknown>, 'body')),
    );
    const result =
      records.length > 0
        ? await this.host.invoke(this.spec.functionName, { Records: records })
        : { ok: true as const, payload: null };
    const ids = new Set(records.map((r) => r.messageId));
    let failed: string[];
    const what = `on a batch of ${records.length}`;
    if (!result.ok) {
      failed = [...ids];
      this.log(`[esm ${this.spec.id}] ${failureLine(this.spec.functionName, what, result.error)}`);
    } else if (!this.spec.reportBatchItemFailures) {
      failed = [];
    } else {
      const reported = batchItemFailures(result.payload, ids);
      if (reported === undefined) {
        this.log(
          `[esm ${this.spec.id}] ${this.spec.functionName} ${what}: its response is not a valid batchItemFailures report (an unknown or empty itemIdentifier, or another key), so the whole batch failed`,
        );
      }
      failed = reported ?? [...ids];
    }
    const failedSet = new Set(failed);
    const done = messages.filter((m) => !failedSet.has(m.MessageId ?? ''));
    for (let i = 0; i < done.length; i += 10) {
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.spec.queueUrl,
          Entries: done.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    return {
      mapping: this.spec.id,
      received: messages.length,
      deleted: done.length,
      failed,
      ...(result.ok ? {} : { error: result.error }),
    };
  }

  private record(m: Message): SQSRecord {
    const a = m.Attributes ?? {};
    const attributes: Record<string, string> = {
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
      SentTimestamp: a.SentTimestamp ?? String(Date.now()),
      SenderId: a.SenderId ?? 'AIDALOCAL',
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    };
    for (const key of [
      'MessageGroupId',
      'MessageDeduplicationId',
      'SequenceNumber',
      'DeadLetterQueueSourceArn',
    ] as const) {
      const value = a[key];
      if (value !== undefined) attributes[key] = value;
    }
    const messageAttributes = Object.fromEntries(
      Object.entries(m.MessageAttributes ?? {}).map(([k, v]: [string, MessageAttributeValue]) => [
        k,
        {
          stringValue: v.StringValue,
          binaryValue: v.BinaryValue ? Buffer.from(v.BinaryValue).toString('base64') : undefined,
          stringListValues: v.StringListValues ?? [],
          binaryListValues: [],
          dataType: v.DataType ?? 'String',
        },
      ]),
    );
    return {
      messageId: m.MessageId ?? '',
      receiptHandle: m.ReceiptHandle ?? '',
      body: m.Body ?? '',
      attributes: attributes as unknown as SQSRecord['attributes'],
      messageAttributes: messageAttributes,
      ...(m.MD5OfMessageAttributes ? { md5OfMessageAttributes: m.MD5OfMessageAttributes } : {}),
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.spec.queueArn,
      awsRegion: this.spec.region,
    };
  }
}

/**
 * The ids a `ReportBatchItemFailures` response lists, or undefined when the response counts as a complete
 * failure (a wrong shape, an empty or unknown id).
 */
export function batchItemFailures(payload: unknown, batchIds: ReadonlySet<string>): string[] | undefined {
  if (payload === null || payload === undefined) return [];
  if (typeof payload !== 'object' || Array.isArray(payload)) return undefined;
  const keys = Object.keys(payload);
  if (keys.length === 0) return [];
  if (keys.some((k) => k !== 'batchItemFailures')) return undefined;
  const list = (payload as { batchItemFailures: unknown }).batchItemFailures;
  if (list === null) return [];
  if (!Array.isArray(list)) return undefined;
  const ids: string[] = [];
  for (const item of list as unknown[]) {
    const id = (item as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !batchIds.has(id)) return undefined;
    ids.push(id);
  }
  return ids;
}
