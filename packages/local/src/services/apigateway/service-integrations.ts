import { PutRecordCommand, PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SendMessageCommand,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { asText } from '../../core/intrinsics.js';
import { describeExecution, epochSeconds, type StepFunctionsEngine } from '../stepfunctions/engine.js';

/** An `AWS` integration of a REST API method: the service, and the action or path of its URI. */
export interface ServiceTarget {
  readonly service: 'sqs' | 'kinesis' | 'states';
  /** `action/<Action>` URIs. */
  readonly action?: string;
  /** `path/<path>` URIs (SQS: `<account>/<queue name>`). */
  readonly path?: string;
}

/** The engines an integration may call. */
export interface ServiceClients {
  readonly sqs: SQSClient;
  readonly kinesis: KinesisClient;
  readonly stepFunctions: StepFunctionsEngine;
}

/** Actions the runtime performs for `AWS` integrations, by service. */
export const SUPPORTED_ACTIONS = {
  sqs: ['SendMessage'],
  kinesis: ['PutRecord', 'PutRecords'],
  states: ['StartExecution', 'StartSyncExecution'],
} as const;

/**
 * Performs an `AWS` integration's request (the rendered request template) against the local engine, and
 * answers with the backend's status and JSON body as API Gateway sees them.
 */
export async function callService(
  clients: ServiceClients,
  target: ServiceTarget,
  body: string,
): Promise<{ status: number; body: string }> {
  try {
    if (target.service === 'sqs') return await sqsSendMessage(clients.sqs, target.path ?? '', body);
    const params = (body.trim() === '' ? {} : JSON.parse(body)) as Record<string, unknown>;
    if (target.service === 'kinesis') return await kinesisPut(clients.kinesis, target.action ?? '', params);
    return await statesStart(clients.stepFunctions, target.action ?? '', params);
  } catch (error: unknown) {
    const e = error as { name?: string; code?: string; message?: string };
    return {
      status: 400,
      body: JSON.stringify({
        __type: e.code ?? e.name ?? 'ValidationException',
        message: e.message ?? String(error),
      }),
    };
  }
}

async function sqsSendMessage(sqs: SQSClient, path: string, body: string) {
  const form = new URLSearchParams(body);
  const action = form.get('Action');
  if (action !== 'SendMessage') {
    return {
      status: 400,
      body: JSON.stringify({
        Error: { Code: 'InvalidAction', Message: `Action ${action ?? '(none)'} is not supported offline` },
      }),
    };
  }
  const { QueueUrl, maximumMessageSize: limit } = await queueOf(sqs, path.split('/').pop() ?? '');
  const attributes: Record<string, MessageAttributeValue> = {};
  for (let i = 1; form.has(`MessageAttribute.${i}.Name`); i += 1) {
    attributes[form.get(`MessageAttribute.${i}.Name`) ?? ''] = {
      DataType: form.get(`MessageAttribute.${i}.Value.DataType`) ?? 'String',
      StringValue: form.get(`MessageAttribute.${i}.Value.StringValue`) ?? undefined,
    };
  }
  const messageBody = form.get('MessageBody') ?? '';
  const size =
    Buffer.byteLength(messageBody) +
    Object.entries(attributes).reduce(
      (n, [name, a]) =>
        n +
        Buffer.byteLength(name) +
        Buffer.byteLength(a.DataType ?? '') +
        Buffer.byteLength(a.StringValue ?? ''),
      0,
    );
  if (size > limit) {
    // SQS refuses the message itself (fauxqs would store it): the same answer as AWS.
    return {
      status: 400,
      body: JSON.stringify({
        Error: {
          Code: 'InvalidParameterValue',
          Message: `One or more parameters are invalid. Reason: Message must be shorter than ${limit} bytes.`,
          Type: 'Sender',
        },
      }),
    };
  }
  const delay = form.get('DelaySeconds');
  const sent = await sqs.send(
    new SendMessageCommand({
      QueueUrl,
      MessageBody: messageBody,
      MessageAttributes: Object.keys(attributes).length > 0 ? attributes : undefined,
      MessageGroupId: form.get('MessageGroupId') ?? undefined,
      MessageDeduplicationId: form.get('MessageDeduplicationId') ?? undefined,
      DelaySeconds: delay === null ? undefined : Number(delay),
    }),
  );
  return {
    status: 200,
    body: JSON.stringify({
      SendMessageResponse: {
        SendMessageResult: {
          MD5OfMessageBody: sent.MD5OfMessageBody,
          MessageId: sent.MessageId,
          SequenceNumber: sent.SequenceNumber ?? null,
        },
        ResponseMetadata: { RequestId: sent.$metadata.requestId ?? null },
      },
    }),
  };
}

/** SQS's default `MaximumMessageSize` when a queue sets none. */
export const SQS_DEFAULT_MAXIMUM_MESSAGE_SIZE = 262_144;

/** A queue the gateway sends to: its URL and `MaximumMessageSize` (body and attributes together). */
interface QueueTarget {
  readonly QueueUrl: string;
  readonly maximumMessageSize: number;
}

/** Looked up once per queue and engine client, not on every request; a failed look-up is tried again. */
const queueTargets = new WeakMap<SQSClient, Map<string, Promise<QueueTarget>>>();

function queueOf(sqs: SQSClient, queueName: string): Promise<QueueTarget> {
  let byName = queueTargets.get(sqs);
  if (!byName) {
    byName = new Map();
    queueTargets.set(sqs, byName);
  }
  const cached = byName.get(queueName);
  if (cached) return cached;
  const lookup = (async () => {
    const { QueueUrl = '' } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['MaximumMessageSize'] }),
    );
    const value = Number(Attributes?.MaximumMessageSize);
    return {
      QueueUrl,
      maximumMessageSize: Number.isInteger(value) && value > 0 ? value : SQS_DEFAULT_MAXIMUM_MESSAGE_SIZE,
    };
  })();
  byName.set(queueName, lookup);
  lookup.catch(() => byName.delete(queueName));
  return lookup;
}

async function kinesisPut(kinesis: KinesisClient, action: string, p: Record<string, unknown>) {
  const data = (value: unknown) => Buffer.from(asText(value), 'base64');
  if (action === 'PutRecord') {
    const out = await kinesis.send(
      new PutRecordCommand({
        StreamName: asText(p.StreamName),
        Data: data(p.Data),
        PartitionKey: asText(p.PartitionKey),
        ExplicitHashKey: p.ExplicitHashKey === undefined ? undefined : asText(p.ExplicitHashKey),
      }),
    );
    return {
      status: 200,
      body: JSON.stringify({ SequenceNumber: out.SequenceNumber, ShardId: out.ShardId }),
    };
  }
  const records = (p.Records as { Data?: unknown; PartitionKey?: unknown }[] | undefined) ?? [];
  const out = await kinesis.send(
    new PutRecordsCommand({
      StreamName: asText(p.StreamName),
      Records: records.map((r) => ({ Data: data(r.Data), PartitionKey: asText(r.PartitionKey) })),
    }),
  );
  return {
    status: 200,
    body: JSON.stringify({ FailedRecordCount: out.FailedRecordCount, Records: out.Records }),
  };
}

async function statesStart(engine: StepFunctionsEngine, action: string, p: Record<string, unknown>) {
  const arn = asText(p.stateMachineArn);
  const input = typeof p.input === 'string' ? p.input : '{}';
  const name = p.name === undefined ? undefined : asText(p.name);
  if (action === 'StartExecution') {
    const execution = engine.start(arn, input, name);
    return {
      status: 200,
      body: JSON.stringify({
        executionArn: execution.executionArn,
        startDate: epochSeconds(execution.startDate),
      }),
    };
  }
  return { status: 200, body: JSON.stringify(describeExecution(await engine.runSync(arn, input, name))) };
}
