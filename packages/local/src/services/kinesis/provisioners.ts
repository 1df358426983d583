import { CreateStreamCommand } from '@aws-sdk/client-kinesis';
import { NOT_ENFORCED, physicalName, str, TAGS, type Provisioner } from '../../core/provisioning.js';
import type { ServiceModule } from '../../core/services.js';
import { KinesisService } from './service.js';

const kinesisStream: Provisioner = {
  applies: ['Name', 'ShardCount', 'StreamModeDetails'],
  accepts: {
    RetentionPeriodHours: 'records stay as long as the runtime runs',
    StreamEncryption: NOT_ENFORCED,
    Tags: TAGS,
  },
  async create(ctx, logicalId, p) {
    const name = str(p.Name) ?? physicalName(ctx.stack.stackName, logicalId, 128);
    const onDemand = (p.StreamModeDetails as { StreamMode?: string } | undefined)?.StreamMode === 'ON_DEMAND';
    // On-demand streams start with four shards on AWS.
    const shards = onDemand ? 4 : Number(p.ShardCount ?? 1);
    await ctx
      .service(KinesisService)
      .client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
    const arn = `arn:${ctx.env.partition}:kinesis:${ctx.env.region}:${ctx.env.accountId}:stream/${name}`;
    return { ref: name, attributes: { Arn: arn } };
  },
};

/** Kinesis Data Streams on kinesalite; Lambda's event source mappings read them. */
export const kinesis: ServiceModule = {
  name: 'kinesis',
  state: KinesisService,
  provisioners: { 'AWS::Kinesis::Stream': kinesisStream },
};
