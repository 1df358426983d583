import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { ServiceEndpoint, ServiceRuntime, ServiceState } from '../../core/services.js';
import { KinesisFront, type StreamConsumer } from './front.js';

/**
 * Kinesis of one runtime: kinesalite (started by core with the other engines), its client, and the front
 * functions and SDK clients reach it through ({@link KinesisFront}), which keeps the streams' tags and the
 * templates' stream consumers.
 */
export class KinesisService implements ServiceState {
  public readonly client: KinesisClient;
  private readonly tags = new Map<string, Map<string, string>>();
  private readonly consumers: StreamConsumer[] = [];
  private readonly front: KinesisFront;

  constructor(runtime: ServiceRuntime) {
    this.client = runtime.engines.kinesis;
    this.front = new KinesisFront(runtime.engines.endpoints.kinesis, this.client, {
      tags: this.tags,
      consumers: this.consumers,
    });
  }

  public async listen(): Promise<readonly ServiceEndpoint[]> {
    return [{ name: 'kinesis', sdkId: 'KINESIS', url: await this.front.listen() }];
  }

  /** Adds tags to a stream, as `AddTagsToStream` through the front does. */
  public tagStream(streamName: string, tags: Readonly<Record<string, string>>): void {
    const kept = this.tags.get(streamName) ?? new Map<string, string>();
    this.tags.set(streamName, kept);
    for (const [key, value] of Object.entries(tags)) kept.set(key, value);
  }

  /** Registers a stream consumer (enhanced fan-out). */
  public registerConsumer(consumer: StreamConsumer): void {
    this.consumers.push(consumer);
  }

  /** The consumer a consumer ARN names, if the application registered it. */
  public consumer(consumerArn: string): StreamConsumer | undefined {
    return this.consumers.find((c) => c.consumerArn === consumerArn);
  }

  public async close(): Promise<void> {
    await this.front.close();
  }
}
