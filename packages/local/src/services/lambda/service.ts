import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { PublishCommand } from '@aws-sdk/client-sns';
import { LOCAL_CREDENTIALS } from '../../core/engines.js';
import { persistentStateOf, type StreamPositions } from '../../core/persistence.js';
import type { ServiceEndpoint, ServiceRuntime, ServiceState } from '../../core/services.js';
import { SqsService } from '../sqs/service.js';
import { AsyncInvoker, type Deliver } from './async-invoker.js';
import { DynamoDbStreamSource } from './event-source-mapping/dynamodb-stream-source.js';
import { KinesisStreamSource } from './event-source-mapping/kinesis-stream-source.js';
import { SqsPoller, type SqsMappingSpec } from './event-source-mapping/sqs-poller.js';
import { StreamPoller, type StreamMappingSpec } from './event-source-mapping/stream-poller.js';
import { LambdaHost } from './host.js';
import { LambdaApi } from './invoke-api.js';

/** A stream event source mapping: the stream, which kind it is, and the mapping. */
export interface StreamMapping {
  readonly sourceArn: string;
  readonly kind: 'dynamodb' | 'kinesis';
  readonly spec: StreamMappingSpec;
}

/**
 * Lambda of one runtime: the host that runs the functions, their asynchronous invocation, the `Invoke` API,
 * and the event source mappings, which start polling once everything exists.
 */
export class LambdaService implements ServiceState {
  public readonly host: LambdaHost;
  /** Lambda's asynchronous invocation (retries, DLQ, destinations). */
  public readonly asyncInvoker: AsyncInvoker;
  private readonly api: LambdaApi;
  private readonly sqsMappings: SqsMappingSpec[] = [];
  private readonly streamMappings: StreamMapping[] = [];
  private readonly pollers: { stop(): Promise<void> }[] = [];
  private readonly streamPollers: StreamPoller[] = [];
  /** Stream mappings' positions at the last stop (`--persist`), for the shards they have not read since. */
  private keptPositions: StreamPositions = {};
  private readonly httpsStandIns: { hostname: string; port: number; pathPrefix: string }[] = [];

  constructor(private readonly runtime: ServiceRuntime) {
    this.host = new LambdaHost({ log: this.log });
    this.asyncInvoker = new AsyncInvoker(this.host, this.deliver, runtime.options.asyncRetryDelaysMs);
    this.api = new LambdaApi(this.host, this.asyncInvoker);
  }

  /**
   * The one way outcomes leave a function (async DLQ and destinations, stream on-failure records): to an
   * SQS queue of the application, or else to an SNS topic.
   */
  public readonly deliver: Deliver = async (arn, body, attributes = {}) => {
    const messageAttributes = Object.fromEntries(
      Object.entries(attributes).map(([k, a]) => [k, { DataType: a.type, StringValue: a.value }]),
    ) satisfies Record<string, MessageAttributeValue>;
    const sqs = this.runtime.service(SqsService);
    const queueUrl = sqs.queueUrl(arn);
    if (queueUrl) {
      await sqs.send(queueUrl, body, messageAttributes);
    } else {
      await this.runtime.engines.sns.send(
        new PublishCommand({ TopicArn: arn, Message: body, MessageAttributes: messageAttributes }),
      );
    }
  };

  /**
   * Has functions reach a local http server where they call `https://<hostname>/<pathPrefix>…` on port 443
   * (CloudFormation's response URL); for functions provisioned from now on.
   */
  public standInForHttps(standIn: { hostname: string; port: number; pathPrefix: string }): void {
    this.httpsStandIns.push(standIn);
  }

  /** Environment every function gets: every service's endpoint, region, dummy credentials. */
  public functionBaseEnvironment(): Readonly<Record<string, string>> {
    const { region } = this.runtime.env;
    return {
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      ...Object.fromEntries(this.runtime.endpoints().map((e) => [`AWS_ENDPOINT_URL_${e.sdkId}`, e.url])),
      ...(this.httpsStandIns.length > 0
        ? { _CONFLUX_HTTPS_STAND_INS: JSON.stringify(this.httpsStandIns) }
        : {}),
      // X-Ray is not emulated: Powertools' tracer stays off unless a template asks otherwise.
      POWERTOOLS_TRACE_ENABLED: 'false',
      AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
    };
  }

  /** The service's own lines (which Node each runtime gets, failed batches): the runtime's log, or stderr. */
  private readonly log = (line: string): void => {
    if (this.runtime.options.log) this.runtime.options.log(line);
    else process.stderr.write(`${line}\n`);
  };

  /** Adds an SQS event source mapping, polled once everything exists. */
  public addSqsMapping(spec: SqsMappingSpec): void {
    this.sqsMappings.push(spec);
  }

  /** Adds a DynamoDB or Kinesis stream event source mapping, polled once everything exists. */
  public addStreamMapping(mapping: StreamMapping): void {
    this.streamMappings.push(mapping);
  }

  public async listen(): Promise<readonly ServiceEndpoint[]> {
    return [{ name: 'lambda', sdkId: 'LAMBDA', url: await this.api.listen() }];
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  public async start(): Promise<void> {
    const { engines, env, options } = this.runtime;
    for (const spec of this.sqsMappings) {
      const poller = new SqsPoller(engines.sqs, this.host, spec, options.onBatch, this.log);
      poller.start();
      this.pollers.push(poller);
    }
    const kept = persistentStateOf(this)?.streamPositions() ?? {};
    this.keptPositions = kept;
    for (const { sourceArn, kind, spec } of this.streamMappings) {
      const source =
        kind === 'kinesis'
          ? new KinesisStreamSource(engines.kinesis, sourceArn, env.region)
          : new DynamoDbStreamSource(engines.dynamodbStreams, sourceArn, env.region, env.accountId);
      // A mapping carries on where the last run left it, on the same stream only (a re-created table's stream
      // has another ARN).
      const position = kept[spec.id];
      const resumed = position?.sourceArn === source.arn ? { ...spec, resumeAfter: position.shards } : spec;
      const poller = new StreamPoller(this.host, source, resumed, options.onStreamBatch, undefined, this.log);
      poller.start();
      this.pollers.push(poller);
      this.streamPollers.push(poller);
    }
  }

  /** Each stream mapping's position now, with the positions it resumed from for shards it has not read since. */
  private streamPositions(): StreamPositions {
    return Object.fromEntries(
      this.streamPollers.map((poller) => {
        const { mapping, sourceArn, shards } = poller.position();
        const kept = this.keptPositions[mapping];
        const resumed = kept?.sourceArn === sourceArn ? kept.shards : {};
        return [
          mapping,
          {
            sourceArn,
            shards: { ...resumed, ...Object.fromEntries(shards.map((s) => [s.shardId, s.sequenceNumber])) },
          },
        ];
      }),
    );
  }

  public async close(): Promise<void> {
    await this.api.close();
  }

  public async halt(): Promise<void> {
    await Promise.allSettled(this.pollers.map((p) => p.stop()));
    // Only once the pollers ran: a start that failed before them would overwrite the last run's positions.
    if (this.streamPollers.length > 0) persistentStateOf(this)?.saveStreamPositions(this.streamPositions());
  }

  public async stop(): Promise<void> {
    await this.asyncInvoker.stop();
    await this.host.stop();
  }
}
