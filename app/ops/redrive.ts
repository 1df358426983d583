import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ListQueuesCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** A redrive that cannot start or cannot finish; its message says what to do. */
export class RedriveError extends Error {
  public override readonly name = 'RedriveError';
}

/** Options of {@link redrive}. */
export interface RedriveOptions {
  /** The dead-letter queue, by name or URL. */
  readonly queue: string;
  /** Move at most this many messages; forces the receive → send → delete path, which can count. */
  readonly max?: number;
  /** Told the running count and the (approximate) total. */
  readonly onProgress?: (moved: number, total: number) => void;
  /** Pause between polls of a message move task. @default 1000 ms */
  readonly pollIntervalMs?: number;
}

/** What a redrive did. */
export interface RedriveResult {
  readonly moved: number;
  /** `message-move-task` when SQS moved the messages itself, else `receive-send-delete`. */
  readonly method: 'message-move-task' | 'receive-send-delete';
  readonly deadLetterQueueUrl: string;
  readonly sourceQueueUrls: readonly string[];
}

/**
 * Moves messages from a dead-letter queue back to the queue(s) that sent them there.
 *
 * Uses SQS `StartMessageMoveTask` where the endpoint supports it. Otherwise (or with `max`) it receives,
 * sends to the source, and deletes from the DLQ only what the source accepted, so a crash loses nothing;
 * FIFO messages keep their group and get a deduplication id derived from the DLQ message id, so a rerun
 * after a crash within five minutes does not duplicate them.
 */
export async function redrive(sqs: SQSClient, options: RedriveOptions): Promise<RedriveResult> {
  if (options.max !== undefined && (!Number.isInteger(options.max) || options.max < 1)) {
    throw new RedriveError(`--max must be a whole number of at least 1; received ${options.max}.`);
  }
  const deadLetterQueueUrl = await queueUrl(sqs, options.queue);
  const attributes = await queueAttributes(sqs, deadLetterQueueUrl, [
    'QueueArn',
    'ApproximateNumberOfMessages',
  ]);
  const dlqArn = attributes.QueueArn ?? '';
  const sourceQueueUrls = await sourceQueues(sqs, deadLetterQueueUrl, dlqArn);
  if (sourceQueueUrls.length === 0) {
    throw new RedriveError(
      `queue "${options.queue}" is not a dead-letter queue: no queue names it (${dlqArn}) as deadLetterTargetArn in its redrive policy.`,
    );
  }
  const total = Number(attributes.ApproximateNumberOfMessages ?? '0');
  const base = { deadLetterQueueUrl, sourceQueueUrls };

  if (options.max === undefined) {
    const moved = await tryMessageMoveTask(sqs, dlqArn, total, options);
    if (moved !== undefined) return { ...base, moved, method: 'message-move-task' };
  }
  const moved = await receiveSendDelete(sqs, deadLetterQueueUrl, sourceQueueUrls, total, options);
  return { ...base, moved, method: 'receive-send-delete' };
}

async function queueUrl(sqs: SQSClient, queue: string): Promise<string> {
  const url = /^https?:\/\//.test(queue)
    ? queue
    : await sqs
        .send(new GetQueueUrlCommand({ QueueName: queue }))
        .then((r) => r.QueueUrl)
        .catch((error: unknown) => {
          if (isQueueMissing(error)) return undefined;
          throw error;
        });
  if (url === undefined)
    throw new RedriveError(`queue "${queue}" does not exist: check the name, region and endpoint.`);
  // A URL may name a queue that is gone; ask for it to find out.
  await queueAttributes(sqs, url, ['QueueArn']).catch((error: unknown) => {
    if (isQueueMissing(error))
      throw new RedriveError(`queue "${queue}" does not exist: check the name, region and endpoint.`);
    throw error;
  });
  return url;
}

async function queueAttributes(
  sqs: SQSClient,
  url: string,
  names: string[],
): Promise<Record<string, string>> {
  const result = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names as never[] }),
  );
  return result.Attributes ?? {};
}

/** Queues whose redrive policy targets the DLQ: asked of SQS, or found by reading every queue's policy. */
async function sourceQueues(sqs: SQSClient, dlqUrl: string, dlqArn: string): Promise<string[]> {
  try {
    const urls: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl, NextToken }));
      urls.push(...(page.queueUrls ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return urls;
  } catch (error: unknown) {
    if (!isUnsupported(error)) throw error;
  }
  const sources: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await sqs.send(new ListQueuesCommand({ NextToken, MaxResults: 1000 }));
    for (const url of page.QueueUrls ?? []) {
      const { RedrivePolicy } = await queueAttributes(sqs, url, ['RedrivePolicy']);
      if (!RedrivePolicy) continue;
      const policy = JSON.parse(RedrivePolicy) as { deadLetterTargetArn?: string };
      if (policy.deadLetterTargetArn === dlqArn) sources.push(url);
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return sources;
}

async function tryMessageMoveTask(
  sqs: SQSClient,
  dlqArn: string,
  total: number,
  options: RedriveOptions,
): Promise<number | undefined> {
  try {
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
  } catch (error: unknown) {
    if (isUnsupported(error)) return undefined;
    throw error;
  }
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, options.pollIntervalMs ?? 1000));
    const { Results } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 1 }));
    const task = Results?.[0];
    const moved = task?.ApproximateNumberOfMessagesMoved ?? 0;
    options.onProgress?.(moved, task?.ApproximateNumberOfMessagesToMove ?? total);
    if (task?.Status === 'COMPLETED') return moved;
    if (task?.Status === 'FAILED' || task?.Status === 'CANCELLED') {
      throw new RedriveError(
        `the message move task ended ${task.Status}: ${task.FailureReason ?? 'no reason given'} (${moved} moved).`,
      );
    }
  }
}

async function receiveSendDelete(
  sqs: SQSClient,
  dlqUrl: string,
  sourceUrls: readonly string[],
  total: number,
  options: RedriveOptions,
): Promise<number> {
  const limit = options.max ?? Number.POSITIVE_INFINITY;
  let moved = 0;
  options.onProgress?.(0, Math.min(total, limit));
  while (moved < limit) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: Math.min(10, limit - moved),
        WaitTimeSeconds: 1,
        VisibilityTimeout: 60,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) break;
    const byTarget = new Map<string, Message[]>();
    for (const message of Messages) {
      const target = targetOf(message, sourceUrls);
      byTarget.set(target, [...(byTarget.get(target) ?? []), message]);
    }
    for (const [target, messages] of byTarget) {
      const sent = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: target,
          Entries: messages.map((m, i) => ({
            Id: String(i),
            MessageBody: m.Body ?? '',
            MessageAttributes: m.MessageAttributes,
            ...(m.Attributes?.MessageGroupId
              ? {
                  MessageGroupId: m.Attributes.MessageGroupId,
                  MessageDeduplicationId: `redrive-${m.MessageId ?? i}`,
                }
              : {}),
          })),
        }),
      );
      // Delete only what the source queue accepted; the rest stays in the DLQ for another try.
      const accepted = (sent.Successful ?? [])
        .map((s) => messages[Number(s.Id)])
        .filter((m) => m !== undefined);
      if (accepted.length > 0) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: dlqUrl,
            Entries: accepted.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
      }
      moved += accepted.length;
      const failed = sent.Failed ?? [];
      if (failed.length > 0) {
        throw new RedriveError(
          `the source queue refused ${failed.length} message(s) (${failed.map((f) => f.Message ?? f.Code).join('; ')}); they stay in the DLQ. ${moved} moved.`,
        );
      }
    }
    options.onProgress?.(moved, Math.max(Math.min(total, limit), moved));
  }
  return moved;
}

/** The source a message came from: its `DeadLetterQueueSourceArn` when SQS recorded it, else the only source. */
function targetOf(message: Message, sourceUrls: readonly string[]): string {
  const sourceArn = message.Attributes?.DeadLetterQueueSourceArn;
  if (sourceArn) {
    const name = sourceArn.split(':').pop() ?? '';
    const match = sourceUrls.find((url) => url.endsWith(`/${name}`));
    if (match) return match;
  }
  const [only, ...others] = sourceUrls;
  if (only === undefined || others.length > 0) {
    throw new RedriveError(
      `message ${message.MessageId ?? '?'} does not say which of ${sourceUrls.length} source queues it came from; redrive it with StartMessageMoveTask on AWS.`,
    );
  }
  return only;
}

function errorName(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '';
  const e = error as { name?: unknown; Code?: unknown; $metadata?: { httpStatusCode?: number } };
  return [e.name, e.Code].filter((v): v is string => typeof v === 'string').join(' ');
}

function isQueueMissing(error: unknown): boolean {
  return error instanceof QueueDoesNotExist || /QueueDoesNotExist|NonExistentQueue/.test(errorName(error));
}

/** Emulators answer an action they lack in several ways; all mean "use the fallback". */
function isUnsupported(error: unknown): boolean {
  const text = `${errorName(error)} ${error instanceof Error ? error.message : ''}`;
  return /UnsupportedOperation|InvalidAction|UnknownOperation|not (supported|implemented)|unknown (action|operation)/i.test(
    text,
  );
}
