import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  ResourceInUseException,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { PersistedStateMismatchError, persistentStateOf, RESET_HINT } from '../../core/persistence.js';
import {
  NOT_ENFORCED,
  physicalName,
  str,
  TAGS,
  UnsupportedResourceError,
  type Provisioner,
} from '../../core/provisioning.js';
import type { ServiceModule } from '../../core/services.js';
import { KinesisService } from './service.js';

const kinesisStream: Provisioner = {
  applies: ['Name', 'ShardCount', 'StreamModeDetails', 'Tags'],
  accepts: {
    RetentionPeriodHours:
      'retention is not enforced: records stay as long as the runtime runs (kinesalite keeps them in memory, or in the state folder with --persist)',
    StreamEncryption: NOT_ENFORCED,
  },
  async create(ctx, logicalId, p) {
    const name = str(p.Name) ?? physicalName(ctx.stack.stackName, logicalId, 128);
    const onDemand = (p.StreamModeDetails as { StreamMode?: string } | undefined)?.StreamMode === 'ON_DEMAND';
    // On-demand streams start with four shards on AWS.
    const shards = onDemand ? 4 : Number(p.ShardCount ?? 1);
    const kinesis = ctx.service(KinesisService);
    await kinesis.client
      .send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }))
      .catch(async (error: unknown) => {
        // With --persist the stream may be there from an earlier run, with its records.
        const persisted = persistentStateOf(kinesis.client);
        if (!persisted || !(error instanceof ResourceInUseException)) throw error;
        await adoptStream(kinesis.client, name, shards, persisted.dir);
      });
    const tags = (p.Tags as { Key?: unknown; Value?: unknown }[] | undefined) ?? [];
    kinesis.tagStream(name, Object.fromEntries(tags.map((t) => [str(t.Key) ?? '', str(t.Value) ?? ''])));
    const arn = `arn:${ctx.env.partition}:kinesis:${ctx.env.region}:${ctx.env.accountId}:stream/${name}`;
    return { ref: name, attributes: { Arn: arn } };
  },
};

/** The stream an earlier run left in the state folder, when it has the shard count the template declares. */
async function adoptStream(client: KinesisClient, name: string, shards: number, dir: string): Promise<void> {
  const { StreamDescriptionSummary } = await client.send(
    new DescribeStreamSummaryCommand({ StreamName: name }),
  );
  const open = StreamDescriptionSummary?.OpenShardCount;
  if (open !== shards) {
    throw new PersistedStateMismatchError(
      `stream ${name} in the persisted state (${dir}) has ${String(open)} open shards; the template now declares ${shards}: ${RESET_HINT}`,
    );
  }
}

/**
 * An enhanced fan-out consumer. Lambda mappings on its ARN read the consumer's stream with enhanced
 * fan-out's delivery (a record reaches the function within tens of milliseconds); `SubscribeToShard` itself
 * is not served.
 */
const streamConsumer: Provisioner = {
  applies: ['ConsumerName', 'StreamARN'],
  accepts: { Tags: TAGS },
  async create(ctx, logicalId, p) {
    const where = `${ctx.stack.stackName}/${logicalId} (AWS::Kinesis::StreamConsumer)`;
    const consumerName = str(p.ConsumerName) ?? '';
    const streamArn = str(p.StreamARN) ?? '';
    const streamName = streamArn.split(':stream/')[1];
    const kinesis = ctx.service(KinesisService);
    const exists =
      streamName !== undefined &&
      (await kinesis.client
        .send(new DescribeStreamSummaryCommand({ StreamName: streamName }))
        .then(() => true)
        .catch(() => false));
    if (streamName === undefined || !exists) {
      throw new UnsupportedResourceError(
        `${where}: StreamARN ${streamArn} must be a Kinesis stream of the application`,
      );
    }
    const createdAt = new Date();
    // The ARN ends in the creation time in epoch seconds, as Kinesis makes it.
    const consumerArn = `${streamArn}/consumer/${consumerName}:${Math.floor(createdAt.getTime() / 1000)}`;
    kinesis.registerConsumer({ consumerName, consumerArn, streamArn, streamName, createdAt });
    return {
      ref: consumerArn,
      attributes: {
        ConsumerARN: consumerArn,
        ConsumerName: consumerName,
        ConsumerStatus: 'ACTIVE',
        ConsumerCreationTimestamp: createdAt.toISOString(),
        StreamARN: streamArn,
      },
    };
  },
};

/** Kinesis Data Streams on kinesalite; Lambda's event source mappings read them. */
export const kinesis: ServiceModule = {
  name: 'kinesis',
  state: KinesisService,
  provisioners: { 'AWS::Kinesis::Stream': kinesisStream, 'AWS::Kinesis::StreamConsumer': streamConsumer },
};
