import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenLocal } from '../../core/http-server.js';
import type { FirehoseService } from './service.js';

/** Firehose's limits on direct put (developer guide, "Quota"). */
export const LIMITS = {
  recordBytes: 1000 * 1024,
  batchRecords: 500,
  batchBytes: 4 * 1024 * 1024,
} as const;

/** A request Firehose refuses, with its error type. */
class ApiError extends Error {
  constructor(
    public readonly type: string,
    message: string,
    public readonly status = 400,
  ) {
    super(message);
  }
}

/**
 * The Firehose API for SDK clients (`AWS_ENDPOINT_URL_FIREHOSE`), AWS JSON 1.1 with the target prefix
 * `Firehose_20150804.`: `PutRecord`, `PutRecordBatch`, `DescribeDeliveryStream`, `ListDeliveryStreams`; plus
 * the runtime's own `POST /_conflux/firehose/flush[/<name>]`, which delivers the buffers now.
 */
export class FirehoseApi {
  private server?: Server;

  constructor(private readonly firehose: FirehoseService) {}

  /** Starts listening on a free port; resolves with the endpoint. */
  public async listen(): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void this.handle(req, res, Buffer.concat(chunks).toString()).catch(() => {
          // A fault of the runtime's, not of the request: no engine message goes out.
          send(res, 500, { __type: 'ServiceUnavailableException', message: 'the offline Firehose failed' });
        });
      });
    });
    this.server = server;
    return listenLocal(server);
  }

  /** Stops listening. */
  public async close(): Promise<void> {
    await closeServer(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const flush = /^\/_conflux\/firehose\/flush(?:\/(.+))?$/.exec(url.pathname);
    if (flush && req.method === 'POST') {
      const name = flush[1] === undefined ? undefined : safeDecode(flush[1]);
      if (name !== undefined && !this.firehose.deliveryStream(name)) {
        send(res, 404, { message: `no delivery stream ${name} in the application` }, 'application/json');
        return;
      }
      send(res, 200, { delivered: await this.firehose.flush(name) }, 'application/json');
      return;
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    if (req.method !== 'POST' || !target.startsWith('Firehose_20150804.')) {
      send(
        res,
        404,
        { message: `${req.method ?? ''} ${url.pathname} is not a Firehose call` },
        'application/json',
      );
      return;
    }
    let params: Record<string, unknown>;
    try {
      const parsed = JSON.parse(body || '{}') as unknown;
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new SyntaxError();
      params = parsed as Record<string, unknown>;
    } catch {
      send(res, 400, { __type: 'SerializationException', message: 'the request body is not a JSON object' });
      return;
    }
    try {
      send(res, 200, this.call(target.slice('Firehose_20150804.'.length), params));
    } catch (error: unknown) {
      if (!(error instanceof ApiError)) throw error;
      send(res, error.status, { __type: error.type, message: error.message });
    }
  }

  private call(action: string, params: Record<string, unknown>): unknown {
    switch (action) {
      case 'PutRecord': {
        const name = this.directPutStream(params.DeliveryStreamName);
        const [data] = recordsOf([params.Record], 1);
        const [id] = this.firehose.put(name, [data ?? Buffer.alloc(0)]);
        return { RecordId: id, Encrypted: false };
      }
      case 'PutRecordBatch': {
        const name = this.directPutStream(params.DeliveryStreamName);
        if (!Array.isArray(params.Records) || params.Records.length === 0) {
          throw new ApiError('InvalidArgumentException', 'Records must hold 1 to 500 records');
        }
        const data = recordsOf(params.Records as unknown[], LIMITS.batchRecords);
        const total = data.reduce((n, d) => n + d.length, 0);
        if (total > LIMITS.batchBytes) {
          throw new ApiError(
            'InvalidArgumentException',
            `the batch holds ${total} bytes; PutRecordBatch takes at most 4 MiB`,
          );
        }
        const ids = this.firehose.put(name, data);
        return {
          FailedPutCount: 0,
          Encrypted: false,
          RequestResponses: ids.map((RecordId) => ({ RecordId })),
        };
      }
      case 'DescribeDeliveryStream': {
        const stream = this.firehose.deliveryStream(nameOf(params.DeliveryStreamName));
        if (!stream) throw notFound(params.DeliveryStreamName);
        return {
          DeliveryStreamDescription: {
            DeliveryStreamName: stream.name,
            DeliveryStreamARN: stream.arn,
            DeliveryStreamStatus: 'ACTIVE',
            DeliveryStreamType: stream.sourceArn ? 'KinesisStreamAsSource' : 'DirectPut',
            VersionId: '1',
            CreateTimestamp: stream.createdAt.getTime() / 1000,
            ...(stream.sourceArn
              ? { Source: { KinesisStreamSourceDescription: { KinesisStreamARN: stream.sourceArn } } }
              : {}),
            Destinations: [{ DestinationId: 'destinationId-000000000001' }],
            HasMoreDestinations: false,
          },
        };
      }
      case 'ListDeliveryStreams':
        return { DeliveryStreamNames: this.firehose.names(), HasMoreDeliveryStreams: false };
      default:
        throw new ApiError(
          'UnknownOperationException',
          `${action} is not supported by the offline runtime; delivery streams come from the templates`,
        );
    }
  }

  /** The name of a direct-put stream of the application, or the error Firehose answers. */
  private directPutStream(value: unknown): string {
    const stream = this.firehose.deliveryStream(nameOf(value));
    if (!stream) throw notFound(value);
    if (stream.sourceArn) {
      throw new ApiError(
        'InvalidArgumentException',
        `This operation is not permitted on KinesisStreamAsSource delivery stream type: ${stream.name}; put the records on its Kinesis stream`,
      );
    }
    return stream.name;
  }
}

function nameOf(value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new ApiError('InvalidArgumentException', 'DeliveryStreamName must be a delivery stream name');
  }
  return value;
}

function notFound(name: unknown): ApiError {
  return new ApiError(
    'ResourceNotFoundException',
    `Firehose ${String(name)} under account 000000000000 not found.`,
  );
}

/** Each record's data, decoded from base64, within Firehose's limits. */
function recordsOf(records: readonly unknown[], max: number): Buffer[] {
  if (records.length > max) {
    throw new ApiError('InvalidArgumentException', `Records holds ${records.length} records; at most ${max}`);
  }
  return records.map((record, i) => {
    const data = (record as { Data?: unknown } | null)?.Data;
    if (typeof data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) {
      throw new ApiError('InvalidArgumentException', `record ${i} has no base64 Data`);
    }
    const bytes = Buffer.from(data, 'base64');
    if (bytes.length > LIMITS.recordBytes) {
      throw new ApiError(
        'InvalidArgumentException',
        `record ${i} is ${bytes.length} bytes; a record may be at most 1,000 KiB`,
      );
    }
    return bytes;
  });
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function send(
  res: ServerResponse,
  status: number,
  value: unknown,
  type = 'application/x-amz-json-1.1',
): void {
  res.writeHead(status, { 'Content-Type': type });
  res.end(JSON.stringify(value, null, type === 'application/json' ? 2 : undefined));
}
