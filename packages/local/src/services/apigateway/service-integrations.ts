import {
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  ListStreamsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
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
  kinesis: [
    'PutRecord',
    'PutRecords',
    'GetShardIterator',
    'GetRecords',
    'ListStreams',
    'ListShards',
    'DescribeStream',
    'DescribeStreamSummary',
  ],
  states: ['StartExecution', 'StartSyncExecution'],
} as const;

/** A backend's answer as API Gateway sees it: what the integration responses map. */
export interface ServiceAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Performs an `AWS` integration's request (the rendered request template) against the local engine, and
 * answers with the backend's status, headers and JSON body as API Gateway sees them.
 */
export async function callService(
  clients: ServiceClients,
  target: ServiceTarget,
  body: string,
): Promise<ServiceAnswer> {
  try {
    if (target.service === 'sqs') return await sqsSendMessage(clients.sqs, target.path ?? '', body);
    // Kinesis's JSON request is the rendered template; its answer is Kinesis's JSON (Data in base64, epoch times).
    if (target.service === 'kinesis') return await kinesisCall(clients.kinesis, target.action ?? '', body);
    const params = (body.trim() === '' ? {} : JSON.parse(body)) as Record<string, unknown>;
    return await statesStart(clients.stepFunctions, target.action ?? '', params);
  } catch (error: unknown) {
    const e = error as { name?: string; code?: string; message?: string };
    return {
      status: 400,
      headers: {},
      body: JSON.stringify({
        __type: e.code ?? e.name ?? 'ValidationException',
        message: e.message ?? String(error),
      }),
    };
  }
}

async function sqsSendMessage(sqs: SQSClient, path: string, body: string): Promise<ServiceAnswer> {
  const form = new URLSearchParams(body);
  const action = form.get('Action');
  if (action !== 'SendMessage') {
    return {
      status: 400,
      headers: {},
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
      headers: {},
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
    headers: {},
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

/** The Kinesis actions an integration may call, by name, as the engine client's commands. */
const KINESIS_COMMANDS = {
  PutRecord: PutRecordCommand,
  PutRecords: PutRecordsCommand,
  GetShardIterator: GetShardIteratorCommand,
  GetRecords: GetRecordsCommand,
  ListStreams: ListStreamsCommand,
  ListShards: ListShardsCommand,
  DescribeStream: DescribeStreamCommand,
  DescribeStreamSummary: DescribeStreamSummaryCommand,
} as const satisfies Record<(typeof SUPPORTED_ACTIONS)['kinesis'][number], unknown>;

type KinesisAction = keyof typeof KINESIS_COMMANDS;

/**
 * One Kinesis action: the rendered template is its JSON request, and the answer is the JSON Kinesis sends
 * (`Data` in base64, times in epoch seconds; an error as `{"__type", "message"}` with its 4xx status).
 */
async function kinesisCall(kinesis: KinesisClient, action: string, body: string): Promise<ServiceAnswer> {
  let request: unknown;
  try {
    request = JSON.parse(body);
  } catch {
    return kinesisError(400, 'SerializationException', 'the request is not JSON');
  }
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    return kinesisError(400, 'SerializationException', 'the request is not a JSON object');
  }
  const Command = KINESIS_COMMANDS[action as KinesisAction] as
    (new (input: Record<string, unknown>) => Parameters<KinesisClient['send']>[0]) | undefined;
  if (!Command) return kinesisError(400, 'UnknownOperationException', `${action} is not a Kinesis action`);
  try {
    const answer: unknown = await kinesis.send(new Command(kinesisInput(request as Record<string, unknown>)));
    return {
      status: 200,
      headers: { 'Content-Type': 'application/x-amz-json-1.1' },
      body: JSON.stringify(answer, kinesisJson),
    };
  } catch (error: unknown) {
    const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    if (e.$metadata?.httpStatusCode === undefined) throw error;
    return kinesisError(e.$metadata.httpStatusCode, e.name ?? 'InternalFailure', e.message ?? '');
  }
}

function kinesisError(status: number, type: string, message: string): ServiceAnswer {
  return {
    status,
    headers: { 'Content-Type': 'application/x-amz-json-1.1' },
    body: JSON.stringify({ __type: type, message }),
  };
}

/** Kinesis's JSON request as the SDK takes it: blobs from base64, timestamps from epoch seconds. */
function kinesisInput(request: Record<string, unknown>): Record<string, unknown> {
  const blob = (value: unknown) => Buffer.from(asText(value), 'base64');
  const input: Record<string, unknown> = { ...request };
  if (input.Data !== undefined) input.Data = blob(input.Data);
  if (Array.isArray(input.Records)) {
    input.Records = (input.Records as Record<string, unknown>[]).map((r) => ({ ...r, Data: blob(r.Data) }));
  }
  for (const key of ['Timestamp', 'ExclusiveStartTimestamp'] as const) {
    const value = input[key];
    if (typeof value === 'number') input[key] = new Date(value * 1000);
    else if (typeof value === 'string')
      input[key] = new Date(/^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : value);
  }
  return input;
}

/** `JSON.stringify`'s replacer for Kinesis's wire format: bytes as base64, dates as epoch seconds. */
function kinesisJson(this: unknown, key: string, value: unknown): unknown {
  if (key === '$metadata') return undefined; // the SDK's, not Kinesis's
  const raw = (this as Record<string, unknown>)[key];
  if (raw instanceof Uint8Array) return Buffer.from(raw).toString('base64');
  if (raw instanceof Date) return raw.getTime() / 1000;
  return value;
}

async function statesStart(
  engine: StepFunctionsEngine,
  action: string,
  p: Record<string, unknown>,
): Promise<ServiceAnswer> {
  const arn = asText(p.stateMachineArn);
  const input = typeof p.input === 'string' ? p.input : '{}';
  const name = p.name === undefined ? undefined : asText(p.name);
  if (action === 'StartExecution') {
    const execution = engine.start(arn, input, name);
    return {
      status: 200,
      headers: {},
      body: JSON.stringify({
        executionArn: execution.executionArn,
        startDate: epochSeconds(execution.startDate),
      }),
    };
  }
  return {
    status: 200,
    headers: {},
    body: JSON.stringify(describeExecution(await engine.runSync(arn, input, name))),
  };
}
