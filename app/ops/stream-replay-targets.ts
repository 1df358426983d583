import { createHash } from 'node:crypto';
import {
  InvokeCommand,
  type InvokeCommandInput,
  type InvokeCommandOutput,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SendMessageBatchCommand,
  type MessageAttributeValue,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

/** A replay that cannot start or cannot finish; its message says what to do. */
export class ReplayError extends Error {
  public override readonly name: string = 'ReplayError';
}

/** A record read from a shard, as the targets receive it. */
export interface ReplayRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: Uint8Array;
  readonly approximateArrivalTimestamp: Date;
}

/** What a target did with a run of one shard's records, delivered in order. */
export interface DeliveryResult {
  /** How many records from the start of the run were delivered (or deliberately skipped). */
  readonly handled: number;
  /** Of those, how many were skipped (tombstones into a queue). */
  readonly skipped: number;
  /** Why the record at `handled` was not delivered; absent when the whole run was. */
  readonly failure?: string;
}

/** Where a replay delivers: an SQS queue or a Lambda function. */
export interface ReplayTarget {
  readonly kind: 'queue' | 'function';
  /** The queue URL or the function name/ARN, as messages show it. */
  readonly id: string;
  /** Delivers one shard's records in order; stops at the first record it could not deliver. */
  deliver(records: readonly ReplayRecord[]): Promise<DeliveryResult>;
}

/**
 * Lambda's `Invoke`, all the replay needs of a Lambda client: {@link lambdaTransport} wraps a real one,
 * tests pass a fake.
 */
export interface InvokeTransport {
  invoke(input: InvokeCommandInput): Promise<InvokeAnswer>;
}

/** The parts of an `Invoke` answer the replay reads. */
export type InvokeAnswer = Pick<InvokeCommandOutput, 'StatusCode' | 'FunctionError'> & {
  readonly Payload?: Uint8Array;
};

/** The stream a replay reads, as the function target's events name it. */
export interface StreamFacts {
  readonly streamArn: string;
}

/** SQS's limit on a message and on a whole SendMessageBatch (256 KiB; AWS now takes 1 MiB, emulators may not). */
const SQS_BATCH_BYTES = 262_144;
/** Lambda's limit on a synchronous payload is 6 MB; the margin covers the event's JSON around the records. */
const INVOKE_PAYLOAD_BYTES = 5_500_000;
/** What Lambda's Kinesis mappings send at most per invocation by default. */
const INVOKE_RECORDS = 100;

/**
 * Resolves `--into`: a queue URL or ARN, a function ARN, or a bare name (an SQS queue of that name first,
 * then a function). Throws {@link ReplayError} for a target that does not exist.
 */
export async function resolveTarget(
  into: string,
  clients: { readonly sqs: SQSClient; readonly lambda: InvokeTransport },
  stream: StreamFacts,
): Promise<ReplayTarget> {
  if (/^https?:\/\//.test(into)) {
    if (!(await queueExists(clients.sqs, into)))
      throw new ReplayError(`queue ${into} does not exist: check the URL, region and endpoint.`);
    return queueTarget(clients.sqs, into);
  }
  const arn = /^arn:[^:]+:(sqs|lambda):([^:]*):(\d*):(.+)$/.exec(into);
  if (arn?.[1] === 'sqs') {
    const url = await queueUrl(clients.sqs, arn[4] ?? '', arn[3]);
    if (!url) throw new ReplayError(`queue ${into} does not exist: check the ARN, region and endpoint.`);
    return queueTarget(clients.sqs, url);
  }
  if (arn?.[1] !== 'lambda') {
    const url = await queueUrl(clients.sqs, into);
    if (url) return queueTarget(clients.sqs, url);
  }
  if (!(await functionExists(clients.lambda, into))) {
    throw new ReplayError(
      arn
        ? `function ${into} does not exist: check the ARN, region and endpoint.`
        : `"${into}" is neither a queue nor a function: check the name, region and endpoint.`,
    );
  }
  return functionTarget(clients.lambda, into, stream);
}

async function queueUrl(sqs: SQSClient, name: string, owner?: string): Promise<string | undefined> {
  try {
    const { QueueUrl } = await sqs.send(
      new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: owner || undefined }),
    );
    return QueueUrl;
  } catch (error: unknown) {
    if (isQueueMissing(error)) return undefined;
    throw error;
  }
}

async function queueExists(sqs: SQSClient, url: string): Promise<boolean> {
  try {
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
    return true;
  } catch (error: unknown) {
    if (isQueueMissing(error)) return false;
    throw error;
  }
}

/** `DryRun` checks the function exists (and that the caller may invoke it) without running it. */
async function functionExists(lambda: InvokeTransport, name: string): Promise<boolean> {
  try {
    await lambda.invoke({ FunctionName: name, InvocationType: 'DryRun' });
    return true;
  } catch (error: unknown) {
    if (errorName(error).includes('ResourceNotFound')) return false;
    throw error;
  }
}

function errorName(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '';
  const e = error as { name?: unknown; Code?: unknown };
  return [e.name, e.Code].filter((v): v is string => typeof v === 'string').join(' ');
}

function isQueueMissing(error: unknown): boolean {
  return error instanceof QueueDoesNotExist || /QueueDoesNotExist|NonExistentQueue/.test(errorName(error));
}

// --- SQS ---------------------------------------------------------------------------------------------------

/** Characters SQS accepts in a message body (its XML-safe set). */
// eslint-disable-next-line no-control-regex
const SQS_TEXT = /^[\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
/** What a FIFO MessageGroupId / MessageDeduplicationId may hold. */
const FIFO_ID = /^[\x21-\x7E]{1,128}$/;

/**
 * Delivers into a queue with SendMessageBatch: the body is the record's data as UTF-8 text (base64 with the
 * attribute `dataEncoding` = `base64` when the data is not text SQS accepts), with the attributes
 * `partitionKey`, `sequenceNumber`, `shardId` and `approximateArrivalTimestamp` (ISO 8601). A FIFO queue
 * gets MessageGroupId = the partition key (so order per key holds) and MessageDeduplicationId =
 * `<shardId>:<sequenceNumber>` (so a resumed replay does not duplicate within SQS's 5-minute window). An
 * empty record (a CDC tombstone) is skipped and counted: SQS refuses empty bodies, and a tombstone says
 * nothing a queue consumer could act on.
 */
async function queueTarget(sqs: SQSClient, url: string): Promise<ReplayTarget> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['FifoQueue'] }),
  );
  const fifo = Attributes?.FifoQueue === 'true' || url.endsWith('.fifo');
  return {
    kind: 'queue',
    id: url,
    deliver: async (records) => {
      let handled = 0;
      let skipped = 0;
      while (handled < records.length) {
        const entries: { entry: SendMessageBatchRequestEntry; index: number }[] = [];
        let bytes = 0;
        let next = handled;
        for (; next < records.length && entries.length < 10; next += 1) {
          const record = records[next];
          if (!record) break;
          if (record.data.length === 0) {
            if (entries.length === 0) {
              skipped += 1;
              handled += 1;
              continue;
            }
            break; // delivered in the next round, after the entries before it
          }
          const entry = messageOf(record, fifo, entries.length);
          const size = entrySize(entry);
          if (size > SQS_BATCH_BYTES && entries.length === 0) {
            return {
              handled,
              skipped,
              failure: `record ${record.sequenceNumber} of ${record.shardId} makes a ${size}-byte message, over SQS's ${SQS_BATCH_BYTES}-byte limit`,
            };
          }
          if (bytes + size > SQS_BATCH_BYTES) break;
          bytes += size;
          entries.push({ entry, index: next });
        }
        if (entries.length === 0) continue;
        const sent = await sqs.send(
          new SendMessageBatchCommand({ QueueUrl: url, Entries: entries.map((e) => e.entry) }),
        );
        const failed = new Map((sent.Failed ?? []).map((f) => [f.Id, f]));
        for (const { entry } of entries) {
          const failure = failed.get(entry.Id);
          if (failure) {
            return {
              handled,
              skipped,
              failure:
                `SQS refused the message of record ${records[handled]?.sequenceNumber ?? '?'}: ${failure.Code ?? ''} ${failure.Message ?? ''}`.trim(),
            };
          }
          handled += 1;
        }
      }
      return { handled, skipped };
    },
  };
}

function messageOf(record: ReplayRecord, fifo: boolean, id: number): SendMessageBatchRequestEntry {
  const text = Buffer.from(record.data).toString('utf8');
  const asText = SQS_TEXT.test(text) && Buffer.from(text, 'utf8').equals(Buffer.from(record.data));
  const attribute = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
  const attributes: Record<string, MessageAttributeValue> = {
    partitionKey: attribute(record.partitionKey),
    sequenceNumber: attribute(record.sequenceNumber),
    shardId: attribute(record.shardId),
    approximateArrivalTimestamp: attribute(record.approximateArrivalTimestamp.toISOString()),
    ...(asText ? {} : { dataEncoding: attribute('base64') }),
  };
  return {
    Id: String(id),
    MessageBody: asText ? text : Buffer.from(record.data).toString('base64'),
    MessageAttributes: attributes,
    ...(fifo
      ? {
          MessageGroupId: fifoId(record.partitionKey),
          MessageDeduplicationId: fifoId(`${record.shardId}:${record.sequenceNumber}`),
        }
      : {}),
  };
}

/** A FIFO id: the value itself when SQS accepts it, else `sha256:<hex>` of it (same value, same id). */
function fifoId(value: string): string {
  return FIFO_ID.test(value) ? value : `sha256:${createHash('sha256').update(value).digest('hex')}`;
}

/** SQS counts the body and every attribute's name, type and value. */
function entrySize(entry: SendMessageBatchRequestEntry): number {
  let size = Buffer.byteLength(entry.MessageBody ?? '');
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {}))
    size +=
      Buffer.byteLength(name) +
      Buffer.byteLength(value.DataType ?? '') +
      Buffer.byteLength(value.StringValue ?? '');
  return size;
}

// --- Lambda ------------------------------------------------------------------------------------------------

/**
 * Wraps a Lambda client's `send` as an {@link InvokeTransport}.
 */
export function lambdaTransport(client: LambdaClient): InvokeTransport {
  return { invoke: (input) => client.send(new InvokeCommand(input)) };
}

/**
 * Delivers into a function with `Invoke` (RequestResponse), the event a Lambda Kinesis mapping sends:
 * batches of up to 100 records of one shard, in order. A function error stops the replay before the
 * batch; a `batchItemFailures` answer stops it before the first failed record (the records before it
 * count as delivered, as a mapping checkpoints them).
 */
function functionTarget(lambda: InvokeTransport, name: string, stream: StreamFacts): ReplayTarget {
  const [, , , region = '', account = ''] = stream.streamArn.split(':');
  return {
    kind: 'function',
    id: name,
    deliver: async (records) => {
      let handled = 0;
      while (handled < records.length) {
        const batch: KinesisStreamRecord[] = [];
        let bytes = 0;
        for (const record of records.slice(handled, handled + INVOKE_RECORDS)) {
          const event = kinesisRecordOf(record, stream.streamArn, region, account);
          const size = JSON.stringify(event).length + 1;
          if (batch.length > 0 && bytes + size > INVOKE_PAYLOAD_BYTES) break;
          bytes += size;
          batch.push(event);
        }
        const event: KinesisStreamEvent = { Records: batch };
        const output = await lambda.invoke({
          FunctionName: name,
          InvocationType: 'RequestResponse',
          Payload: Buffer.from(JSON.stringify(event)),
        });
        const text = output.Payload ? Buffer.from(output.Payload).toString('utf8') : '';
        if (output.FunctionError) {
          return { handled, skipped: 0, failure: `function ${name} failed: ${describeError(text)}` };
        }
        if (output.StatusCode !== undefined && (output.StatusCode < 200 || output.StatusCode > 299)) {
          return { handled, skipped: 0, failure: `function ${name} answered status ${output.StatusCode}` };
        }
        const firstFailed = firstFailure(text, batch);
        if (firstFailed !== undefined) {
          const at = batch[firstFailed]?.kinesis.sequenceNumber ?? '?';
          return {
            handled: handled + firstFailed,
            skipped: 0,
            failure: `function ${name} reported batchItemFailures from record ${at}`,
          };
        }
        handled += batch.length;
      }
      return { handled, skipped: 0 };
    },
  };
}

function kinesisRecordOf(
  record: ReplayRecord,
  streamArn: string,
  region: string,
  account: string,
): KinesisStreamRecord {
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: record.partitionKey,
      sequenceNumber: record.sequenceNumber,
      data: Buffer.from(record.data).toString('base64'),
      approximateArrivalTimestamp: record.approximateArrivalTimestamp.getTime() / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${record.shardId}:${record.sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    // A mapping names its execution role; a replay has none, so it says who sent the event.
    invokeIdentityArn: `arn:aws:iam::${account}:role/conflux-stream-replay`,
    awsRegion: region,
    eventSourceARN: streamArn,
  };
}

/** The index of the first failed record of a `batchItemFailures` answer (0 when it names none of the batch). */
function firstFailure(text: string, batch: readonly KinesisStreamRecord[]): number | undefined {
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    return undefined;
  }
  const failures = (answer as { batchItemFailures?: unknown } | null)?.batchItemFailures;
  if (!Array.isArray(failures) || failures.length === 0) return undefined;
  const indexes = failures.map((f: unknown) => {
    const id = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    const index = batch.findIndex((r) => r.kinesis.sequenceNumber === id);
    // An identifier that names no record of the batch fails the whole batch, as a mapping treats it.
    return index < 0 ? 0 : index;
  });
  return Math.min(...indexes);
}

function describeError(text: string): string {
  try {
    const e = JSON.parse(text) as { errorType?: unknown; errorMessage?: unknown };
    return [e.errorType, e.errorMessage].filter((v) => typeof v === 'string').join(': ') || text;
  } catch {
    return text || 'no error payload';
  }
}
