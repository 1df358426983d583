import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { atTimestampIterator, secondsToMs } from './at-timestamp.js';

/** A registered `AWS::Kinesis::StreamConsumer`, as `DescribeStreamConsumer` describes it. */
export interface StreamConsumer {
  readonly consumerName: string;
  readonly consumerArn: string;
  readonly streamArn: string;
  readonly streamName: string;
  readonly createdAt: Date;
}

/** What the front answers from the runtime's own state rather than kinesalite's. */
export interface FrontState {
  /** The tags of every stream, by stream name. */
  readonly tags: Map<string, Map<string, string>>;
  readonly consumers: readonly StreamConsumer[];
}

const JSON_TYPE = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'Kinesis_20131202.';

/** An error in Kinesis's JSON shape. */
class KinesisFault extends Error {
  constructor(
    public readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The Kinesis endpoint functions and SDK clients are given: kinesalite behind a thin front that answers what
 * kinesalite gets wrong or lacks, and passes everything else through unchanged (CBOR included).
 * - `StreamARN` in a JSON request (what newer SDKs send) becomes the `StreamName` kinesalite knows.
 * - Tags: `AddTagsToStream`, `ListTagsForStream` and `RemoveTagsFromStream` are kept here, since kinesalite
 *   refuses the `:` that tag keys such as `aws:cloudformation:stack-name` and `conflux:cdc:table` hold.
 * - `GetShardIterator` with `AT_TIMESTAMP` no longer hangs when no record is that recent (see
 *   {@link atTimestampIterator}).
 * - `DescribeStreamConsumer` and `ListStreamConsumers` answer the consumers of the templates.
 */
export class KinesisFront {
  private server?: Server;

  constructor(
    private readonly engineUrl: string,
    private readonly client: KinesisClient,
    private readonly state: FrontState,
  ) {}

  /** Starts serving on a free loopback port; resolves with the URL. */
  public async listen(): Promise<string> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) answer(res, 500, { __type: 'InternalFailure', message: String(error) });
        else res.destroy();
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const address = server.address();
    return `http://127.0.0.1:${address && typeof address === 'object' ? address.port : 0}`;
  }

  public async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const isJson = (req.headers['content-type'] ?? '').startsWith(JSON_TYPE);
    const input = isJson && target.startsWith(TARGET_PREFIX) ? jsonObject(body) : undefined;
    if (input === undefined) {
      this.forward(req, res, body);
      return;
    }
    if (input.StreamName === undefined && typeof input.StreamARN === 'string') {
      input.StreamName = input.StreamARN.split(':stream/')[1] ?? input.StreamARN;
      delete input.StreamARN;
    }
    let answered: object | undefined;
    try {
      answered = await this.answer(target.slice(TARGET_PREFIX.length), input);
    } catch (error: unknown) {
      const type =
        error instanceof KinesisFault ? error.type : error instanceof Error ? error.name : 'InternalFailure';
      answer(res, 400, { __type: type, message: error instanceof Error ? error.message : String(error) });
      return;
    }
    if (answered !== undefined) answer(res, 200, answered);
    else this.forward(req, res, Buffer.from(JSON.stringify(input)));
  }

  /** The answer to an operation the front handles itself, or undefined to pass the request on. */
  private async answer(operation: string, input: Record<string, unknown>): Promise<object | undefined> {
    const streamName = typeof input.StreamName === 'string' ? input.StreamName : undefined;
    switch (operation) {
      case 'AddTagsToStream': {
        const tags = await this.tagsOf(streamName);
        const added = Object.entries((input.Tags ?? {}) as Record<string, unknown>);
        for (const [key, value] of added) validateTag(key, String(value));
        if (new Set([...tags.keys(), ...added.map(([k]) => k)]).size > 50)
          throw new KinesisFault('InvalidArgumentException', 'a stream can have at most 50 tags');
        for (const [key, value] of added) tags.set(key, String(value));
        return {};
      }
      case 'RemoveTagsFromStream': {
        const tags = await this.tagsOf(streamName);
        for (const key of (input.TagKeys ?? []) as string[]) tags.delete(key);
        return {};
      }
      case 'ListTagsForStream': {
        const tags = [...(await this.tagsOf(streamName)).entries()].sort(([a], [b]) => (a < b ? -1 : 1));
        const start = typeof input.ExclusiveStartTagKey === 'string' ? input.ExclusiveStartTagKey : undefined;
        const after = start === undefined ? tags : tags.filter(([k]) => k > start);
        const limit = Number(input.Limit ?? 50);
        return {
          Tags: after.slice(0, limit).map(([Key, Value]) => ({ Key, Value })),
          HasMoreTags: after.length > limit,
        };
      }
      case 'GetShardIterator': {
        if (input.ShardIteratorType !== 'AT_TIMESTAMP' || streamName === undefined) return undefined;
        const timestampMs = timestampOf(input.Timestamp);
        // A missing or future timestamp is kinesalite's to refuse, with Kinesis's own message.
        if (timestampMs === undefined || timestampMs > Date.now()) return undefined;
        return {
          ShardIterator: await atTimestampIterator(
            this.client,
            streamName,
            String(input.ShardId),
            timestampMs,
          ),
        };
      }
      case 'DescribeStreamConsumer': {
        const consumer = this.state.consumers.find(
          (c) =>
            c.consumerArn === input.ConsumerARN ||
            (c.streamArn === input.StreamARN && c.consumerName === input.ConsumerName) ||
            (c.streamName === streamName && c.consumerName === input.ConsumerName),
        );
        if (!consumer) throw new KinesisFault('ResourceNotFoundException', 'Consumer not found');
        return { ConsumerDescription: { ...describe(consumer), StreamARN: consumer.streamArn } };
      }
      case 'ListStreamConsumers':
        return {
          Consumers: this.state.consumers.filter((c) => c.streamName === streamName).map((c) => describe(c)),
        };
      default:
        return undefined;
    }
  }

  private async tagsOf(streamName: string | undefined): Promise<Map<string, string>> {
    if (streamName === undefined) throw new KinesisFault('ValidationException', 'StreamName is required');
    // Answers ResourceNotFoundException, as Kinesis does, for a stream that does not exist.
    await this.client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    const tags = this.state.tags.get(streamName) ?? new Map<string, string>();
    this.state.tags.set(streamName, tags);
    return tags;
  }

  private forward(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const engine = new URL(this.engineUrl);
    const upstream = request(
      {
        host: engine.hostname,
        port: engine.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: engine.host, 'content-length': String(body.length) },
      },
      (answerFromEngine) => {
        res.writeHead(answerFromEngine.statusCode ?? 500, answerFromEngine.headers);
        answerFromEngine.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) answer(res, 503, { __type: 'ServiceUnavailable', message: error.message });
      else res.destroy();
    });
    upstream.end(body);
  }
}

function describe(c: StreamConsumer): Record<string, unknown> {
  return {
    ConsumerName: c.consumerName,
    ConsumerARN: c.consumerArn,
    ConsumerStatus: 'ACTIVE',
    ConsumerCreationTimestamp: c.createdAt.getTime() / 1000,
  };
}

/** Kinesis's tag rules: keys of 1–128 and values of 0–256 characters, without the characters it refuses. */
function validateTag(key: string, value: string): void {
  const allowed = /^[\p{L}\p{N}\s_.:/=+\-@%]*$/u;
  if (
    key.length < 1 ||
    key.length > 128 ||
    value.length > 256 ||
    !allowed.test(key) ||
    !allowed.test(value)
  ) {
    throw new KinesisFault(
      'InvalidArgumentException',
      `tag ${key}=${value}: keys are 1–128 and values 0–256 Unicode letters, digits, white space and _ . : / = + - @ %`,
    );
  }
}

function timestampOf(value: unknown): number | undefined {
  if (typeof value === 'number') return secondsToMs(value);
  if (typeof value === 'string') {
    const n = Number(value);
    return Number.isFinite(n) ? secondsToMs(n) : Date.parse(value);
  }
  return undefined;
}

/** A JSON request body that is an object, or undefined for anything else. */
function jsonObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8') || '{}');
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function answer(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
