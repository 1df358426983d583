import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenLocal } from '../../core/http-server.js';
import type { S3Destination } from './delivery-stream.js';
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
        // The model's constraints are checked before the stream, as AWS's front does.
        const [data] = recordsOf([params.Record], 'record');
        const name = this.directPutStream(params.DeliveryStreamName);
        const [id] = this.firehose.put(name, [data ?? Buffer.alloc(0)]);
        return { RecordId: id, Encrypted: false };
      }
      case 'PutRecordBatch': {
        const data = recordsOf(Array.isArray(params.Records) ? (params.Records as unknown[]) : [], 'records');
        const total = data.reduce((n, d) => n + d.length, 0);
        const name = this.directPutStream(params.DeliveryStreamName);
        if (total > LIMITS.batchBytes)
          throw new ApiError('InvalidArgumentException', 'Records size exceeds 4 MB limit');
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
            Destinations: [
              {
                DestinationId: 'destinationId-000000000001',
                ExtendedS3DestinationDescription: describeDestination(stream.destination),
              },
            ],
            HasMoreDestinations: false,
          },
        };
      }
      case 'ListDeliveryStreams':
        return this.list(params);
      default:
        throw new ApiError(
          'UnknownOperationException',
          `${action} is not supported by the offline runtime; delivery streams come from the templates`,
        );
    }
  }

  /** `ListDeliveryStreams`: by name, of a type when `DeliveryStreamType` is given, paged by `Limit`. */
  private list(params: Record<string, unknown>): unknown {
    const type = params.DeliveryStreamType;
    const after =
      typeof params.ExclusiveStartDeliveryStreamName === 'string'
        ? params.ExclusiveStartDeliveryStreamName
        : '';
    const limit = typeof params.Limit === 'number' ? params.Limit : 10_000;
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      throw new ApiError('InvalidArgumentException', 'Limit must be 1 to 10000');
    }
    const names = this.firehose.names().filter((name) => {
      const kind = this.firehose.deliveryStream(name)?.sourceArn ? 'KinesisStreamAsSource' : 'DirectPut';
      return name > after && (type === undefined || type === kind);
    });
    return { DeliveryStreamNames: names.slice(0, limit), HasMoreDeliveryStreams: names.length > limit };
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

/** `ExtendedS3DestinationDescription` of a destination, as far as the runtime keeps it. */
function describeDestination(d: S3Destination): Record<string, unknown> {
  return {
    BucketARN: `arn:aws:s3:::${d.bucket}`,
    Prefix: d.prefix,
    ErrorOutputPrefix: d.errorOutputPrefix,
    BufferingHints: { SizeInMBs: d.sizeBytes / (1024 * 1024), IntervalInSeconds: d.intervalMs / 1000 },
    CompressionFormat: d.gzip ? 'GZIP' : 'UNCOMPRESSED',
    FileExtension: d.fileExtension,
    ProcessingConfiguration: d.transform
      ? {
          Enabled: true,
          Processors: [
            {
              Type: 'Lambda',
              Parameters: [
                { ParameterName: 'LambdaArn', ParameterValue: d.transform.lambdaArn },
                { ParameterName: 'NumberOfRetries', ParameterValue: String(d.transform.retries) },
              ],
            },
          ],
        }
      : { Enabled: false },
  };
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

/**
 * Each record's data, decoded from base64, within Firehose's limits. A constraint of the API's model (500
 * records, 1,024,000 bytes a record) is refused as AWS's front does: `ValidationException`, one sentence per
 * violation. `where` names the member: `records` for a batch, `record` for `PutRecord`.
 */
function recordsOf(records: readonly unknown[], where: 'records' | 'record'): Buffer[] {
  if (where === 'records' && (records.length < 1 || records.length > LIMITS.batchRecords)) {
    throw validation([
      `Value at 'records' failed to satisfy constraint: Member must have length ${records.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${LIMITS.batchRecords}`}`,
    ]);
  }
  const violations: string[] = [];
  const out = records.map((record, i) => {
    const data = (record as { Data?: unknown } | null)?.Data;
    const member = where === 'records' ? `records.${i + 1}.member.data` : 'record.data';
    if (typeof data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) {
      violations.push(`Value at '${member}' failed to satisfy constraint: Member must be base64 data`);
      return Buffer.alloc(0);
    }
    const bytes = Buffer.from(data, 'base64');
    if (bytes.length > LIMITS.recordBytes) {
      violations.push(
        `Value at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${LIMITS.recordBytes}`,
      );
    }
    return bytes;
  });
  if (violations.length > 0) throw validation(violations);
  return out;
}

function validation(violations: readonly string[]): ApiError {
  const count = violations.length === 1 ? '1 validation error' : `${violations.length} validation errors`;
  return new ApiError('ValidationException', `${count} detected: ${violations.join('; ')}`);
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
