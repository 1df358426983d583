import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS } from '../../core/engines.js';
import type { ServiceEndpoint, ServiceRuntime, ServiceState } from '../../core/services.js';
import type { StreamViewType } from '../lambda/event-source-mapping/stream-poller.js';
import { KinesisDestination, type KinesisDestinationSpec } from './kinesis-destination.js';
import type { DynamoDbRouter } from './router.js';

/**
 * DynamoDB of one runtime: DynamoDB Local (started by core with the other engines), its client, the view
 * type each table's stream was declared with, and the tables' Kinesis streaming destinations, which
 * forward changes once everything exists.
 */
export class DynamoDbService implements ServiceState {
  public readonly client: DynamoDBClient;
  private readonly views = new Map<string, StreamViewType>();
  private readonly destinationSpecs: KinesisDestinationSpec[] = [];
  private readonly destinations: KinesisDestination[] = [];
  private readonly regionClients = new Map<string, DynamoDBClient>();

  constructor(private readonly runtime: ServiceRuntime) {
    this.client = runtime.engines.dynamodb;
  }

  /** The router in front of DynamoDB Local, which global tables register with. */
  public get router(): DynamoDbRouter {
    return this.runtime.engines.dynamodbRouter;
  }

  /** A client signed for `region`: it reaches that Region's table set. */
  public clientFor(region: string): DynamoDBClient {
    if (region === this.runtime.env.region) return this.client;
    let client = this.regionClients.get(region);
    if (!client) {
      client = new DynamoDBClient({
        region,
        credentials: LOCAL_CREDENTIALS,
        endpoint: this.runtime.engines.endpoints.dynamodb,
      });
      this.regionClients.set(region, client);
    }
    return client;
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  public async listen(): Promise<readonly ServiceEndpoint[]> {
    return [{ name: 'dynamodb', sdkId: 'DYNAMODB', url: this.runtime.engines.endpoints.dynamodb }];
  }

  /** Records the view type a table's stream (DynamoDB Local's ARN) was declared with. */
  public declareStreamView(streamArn: string, viewType: StreamViewType): void {
    this.views.set(streamArn, viewType);
  }

  /**
   * The view type the template declared for a table's stream. DynamoDB Local's stream may hold more (both
   * images, for a Kinesis destination): event source mappings project its records down to this.
   */
  public declaredStreamView(streamArn: string): StreamViewType | undefined {
    return this.views.get(streamArn);
  }

  /** Adds a table's Kinesis streaming destination, forwarding once everything exists. */
  public addKinesisDestination(spec: KinesisDestinationSpec): void {
    this.destinationSpecs.push(spec);
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  public async start(): Promise<void> {
    const { engines } = this.runtime;
    for (const spec of this.destinationSpecs) {
      const destination = new KinesisDestination(engines.dynamodbStreams, engines.kinesis, spec, this.log);
      destination.start();
      this.destinations.push(destination);
    }
  }

  public async halt(): Promise<void> {
    await Promise.allSettled(this.destinations.map((d) => d.stop()));
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  public async stop(): Promise<void> {
    for (const client of this.regionClients.values()) client.destroy();
  }

  private readonly log = (line: string): void => {
    if (this.runtime.options.log) this.runtime.options.log(line);
    else process.stderr.write(`${line}\n`);
  };
}
