import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { ConsoleRequestError, type ConsoleResource } from './resources.js';

/** A queue's live state. */
export interface QueueState {
  readonly url: string;
  readonly arn: string;
  /** Messages ready to receive. */
  readonly depth: number;
  /** Messages received and not yet deleted. */
  readonly inFlight: number;
  readonly delayed: number;
  /** The queue its failed messages move to, and after how many receives. */
  readonly redrivePolicy?: { readonly deadLetterTargetArn: string; readonly maxReceiveCount: number };
}

/** A message of a queue, as a peek shows it. */
export interface PeekedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly receiveCount: number;
  readonly sentAt?: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** What a redrive did. */
export interface RedriveResult {
  readonly from: string;
  readonly to: string;
  readonly moved: number;
}

/** A queue's depth, in-flight count and redrive policy, from the engine. */
export async function queueState(sqs: SQSClient, url: string): Promise<QueueState> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
  );
  const policy = parsePolicy(Attributes.RedrivePolicy);
  return {
    url,
    arn: Attributes.QueueArn ?? '',
    depth: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
    ...(policy ? { redrivePolicy: policy } : {}),
  };
}

function parsePolicy(text: string | undefined): QueueState['redrivePolicy'] {
  if (!text) return undefined;
  try {
    const p = JSON.parse(text) as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
    return typeof p.deadLetterTargetArn === 'string'
      ? { deadLetterTargetArn: p.deadLetterTargetArn, maxReceiveCount: Number(p.maxReceiveCount) }
      : undefined;
  } catch {
    return undefined;
  }
}

/** A message as fauxqs's inspection endpoint shows it. */
interface StoredMessage {
  readonly messageId?: string;
  readonly body?: string;
  readonly approximateReceiveCount?: number;
  readonly sentTimestamp?: number;
  readonly messageAttributes?: Readonly<Record<string, { StringValue?: string }>>;
}

/** Where a peeked message is: ready to receive, received and not yet deleted, or delayed. */
export type PeekedState = 'ready' | 'in-flight' | 'delayed';

/**
 * Up to `limit` messages of a queue, left exactly as they are (no receive, so no receive count goes up):
 * from fauxqs's non-destructive inspection endpoint, `GET /_fauxqs/queues/<name>`; ready ones first.
 */
export async function peek(
  endpoint: string,
  url: string,
  limit: number,
): Promise<(PeekedMessage & { state: PeekedState })[]> {
  const name = url.split('/').pop() ?? '';
  const res = await fetch(`${endpoint}/_fauxqs/queues/${encodeURIComponent(name)}`);
  if (!res.ok) throw new Error(`fauxqs has no queue ${name} (${res.status})`);
  const { messages } = (await res.json()) as {
    messages?: {
      ready?: StoredMessage[];
      delayed?: StoredMessage[];
      inflight?: { message: StoredMessage }[];
    };
  };
  const all: [StoredMessage, PeekedState][] = [
    ...(messages?.ready ?? []).map((m): [StoredMessage, PeekedState] => [m, 'ready']),
    ...(messages?.inflight ?? []).map((m): [StoredMessage, PeekedState] => [m.message, 'in-flight']),
    ...(messages?.delayed ?? []).map((m): [StoredMessage, PeekedState] => [m, 'delayed']),
  ];
  return all.slice(0, limit).map(([m, state]) => ({
    messageId: m.messageId ?? '',
    body: m.body ?? '',
    receiveCount: m.approximateReceiveCount ?? 0,
    state,
    ...(m.sentTimestamp ? { sentAt: new Date(m.sentTimestamp).toISOString() } : {}),
    attributes: Object.fromEntries(
      Object.entries(m.messageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']),
    ),
  }));
}

/**
 * The queues whose redrive policy names `dlqArn` as their dead-letter queue: the queues a redrive of that
 * DLQ moves messages back to.
 */
export function sourcesOf(
  dlqArn: string,
  states: ReadonlyMap<string, QueueState>,
  queues: readonly ConsoleResource[],
): ConsoleResource[] {
  return queues.filter((q) => states.get(q.id)?.redrivePolicy?.deadLetterTargetArn === dlqArn);
}

/**
 * Moves every message of a DLQ back to its source queue (at most `max`): receive, send, delete, ten at a
 * time, as SQS's own redrive does (a new message id; body and attributes kept). A DLQ with no source, or
 * with several, is refused unless `to` names the source.
 */
export async function redrive(
  sqs: SQSClient,
  dlq: ConsoleResource,
  sources: readonly ConsoleResource[],
  to: string | undefined,
  max = 1000,
): Promise<RedriveResult> {
  const target = to === undefined ? sources : sources.filter((s) => s.id === to || s.physical === to);
  if (sources.length === 0) {
    throw new ConsoleRequestError(
      `${dlq.id} is the dead-letter queue of no queue of the application: nothing to redrive to`,
      409,
    );
  }
  const [source] = target;
  if (!source) {
    throw new ConsoleRequestError(
      `${to ?? ''} is not a source queue of ${dlq.id}; its sources: ${sources.map((s) => s.id).join(', ')}`,
      400,
    );
  }
  if (target.length > 1) {
    throw new ConsoleRequestError(
      `${dlq.id} is the dead-letter queue of several queues (${sources.map((s) => s.id).join(', ')}); name one with "to"`,
      409,
    );
  }
  let moved = 0;
  while (moved < max) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlq.physical,
        MaxNumberOfMessages: Math.min(10, max - moved),
        VisibilityTimeout: 30,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['MessageGroupId'],
      }),
    );
    if (Messages.length === 0) break;
    for (const m of Messages) await resend(sqs, source.physical, m);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: dlq.physical,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
      }),
    );
    moved += Messages.length;
  }
  return { from: dlq.id, to: source.id, moved };
}

async function resend(sqs: SQSClient, url: string, m: Message): Promise<void> {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: url,
      MessageBody: m.Body ?? '',
      // A FIFO queue needs a group; the message keeps its own, and its id deduplicates a retried redrive.
      ...(url.endsWith('.fifo')
        ? {
            MessageGroupId: m.Attributes?.MessageGroupId ?? 'redrive',
            MessageDeduplicationId: m.MessageId,
          }
        : {}),
      ...(m.MessageAttributes && Object.keys(m.MessageAttributes).length > 0
        ? { MessageAttributes: m.MessageAttributes }
        : {}),
    }),
  );
}
