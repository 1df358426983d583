import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { asText } from '../../core/intrinsics.js';
import {
  accepted,
  NOT_ENFORCED,
  physicalName,
  regional,
  str,
  TAGS,
  type Provisioner,
} from '../../core/provisioning.js';
import type { ServiceModule } from '../../core/services.js';
import { SqsService } from './service.js';

const sqsQueue: Provisioner = {
  applies: [
    'QueueName',
    'FifoQueue',
    'ContentBasedDeduplication',
    'DeduplicationScope',
    'FifoThroughputLimit',
    'VisibilityTimeout',
    'MessageRetentionPeriod',
    'DelaySeconds',
    'MaximumMessageSize',
    'ReceiveMessageWaitTimeSeconds',
    'RedrivePolicy',
  ],
  accepts: {
    SqsManagedSseEnabled: NOT_ENFORCED,
    KmsMasterKeyId: NOT_ENFORCED,
    KmsDataKeyReusePeriodSeconds: NOT_ENFORCED,
    RedriveAllowPolicy: NOT_ENFORCED,
    Tags: TAGS,
  },
  async create(ctx, logicalId, p) {
    const fifo = p.FifoQueue === true || p.FifoQueue === 'true';
    const name = str(p.QueueName) ?? physicalName(ctx.stack.stackName, logicalId, 80, fifo ? '.fifo' : '');
    const attributes: Record<string, string> = {};
    for (const key of this.applies) {
      if (key === 'QueueName' || p[key] === undefined) continue;
      if (key === 'RedrivePolicy') {
        const redrive = p.RedrivePolicy as { deadLetterTargetArn: string; maxReceiveCount: number | string };
        attributes.RedrivePolicy = JSON.stringify({
          deadLetterTargetArn: redrive.deadLetterTargetArn,
          maxReceiveCount: Number(redrive.maxReceiveCount),
        });
      } else {
        attributes[key] = asText(p[key]);
      }
    }
    const sqs = ctx.service(SqsService);
    const { QueueUrl } = await sqs.client.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    const { Attributes } = await sqs.client.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const url = QueueUrl ?? '';
    const arn = Attributes?.QueueArn ?? '';
    sqs.addQueue(arn, url);
    return { ref: url, attributes: { Arn: arn, QueueName: name, QueueUrl: url } };
  },
};

/** SQS queues on fauxqs; Lambda's event source mappings poll them. */
export const sqs: ServiceModule = {
  name: 'sqs',
  state: SqsService,
  provisioners: {
    'AWS::SQS::Queue': sqsQueue,
    'AWS::SQS::QueuePolicy': accepted(NOT_ENFORCED, regional('sqs', '')),
  },
};
