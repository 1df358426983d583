import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { asText } from '../../core/intrinsics.js';
import {
  NOT_ENFORCED,
  physicalName,
  str,
  TAGS,
  UnsupportedResourceError,
  type Provisioner,
} from '../../core/provisioning.js';

export const sqsQueue: Provisioner = {
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
    const { QueueUrl } = await ctx.sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    const { Attributes } = await ctx.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const url = QueueUrl ?? '';
    const arn = Attributes?.QueueArn ?? '';
    ctx.queueUrls.set(arn, url);
    return { ref: url, attributes: { Arn: arn, QueueName: name, QueueUrl: url } };
  },
};

export const snsTopic: Provisioner = {
  applies: ['TopicName', 'FifoTopic', 'ContentBasedDeduplication'],
  accepts: { KmsMasterKeyId: NOT_ENFORCED, DisplayName: 'used by SMS and email only', Tags: TAGS },
  async create(ctx, logicalId, p) {
    const fifo = p.FifoTopic === true || p.FifoTopic === 'true';
    const name = str(p.TopicName) ?? physicalName(ctx.stack.stackName, logicalId, 256, fifo ? '.fifo' : '');
    const attributes: Record<string, string> = {};
    if (fifo) attributes.FifoTopic = 'true';
    if (p.ContentBasedDeduplication !== undefined)
      attributes.ContentBasedDeduplication = asText(p.ContentBasedDeduplication);
    const { TopicArn } = await ctx.sns.send(new CreateTopicCommand({ Name: name, Attributes: attributes }));
    return { ref: TopicArn ?? '', attributes: { TopicArn: TopicArn ?? '', TopicName: name } };
  },
};

export const snsSubscription: Provisioner = {
  applies: [
    'TopicArn',
    'Protocol',
    'Endpoint',
    'FilterPolicy',
    'FilterPolicyScope',
    'RawMessageDelivery',
    'RedrivePolicy',
  ],
  accepts: { Region: 'everything runs in the one local region' },
  async create(ctx, logicalId, p) {
    if (p.Protocol !== 'sqs' && p.Protocol !== 'lambda') {
      throw new UnsupportedResourceError(
        `${ctx.stack.stackName}/${logicalId} (AWS::SNS::Subscription): Protocol "${asText(p.Protocol)}" is not supported offline; "sqs" and "lambda" are`,
      );
    }
    let endpoint = str(p.Endpoint);
    let bridgeFunction: string | undefined;
    if (p.Protocol === 'lambda') {
      // SNS invokes Lambda asynchronously; an internal queue takes the deliveries (filter policy applied by the engine).
      bridgeFunction = endpoint ?? '';
      if (!ctx.host.get(bridgeFunction)) {
        throw new UnsupportedResourceError(
          `${ctx.stack.stackName}/${logicalId} (AWS::SNS::Subscription): Endpoint ${bridgeFunction} names no Lambda function of the application`,
        );
      }
      const { QueueUrl } = await ctx.sqs.send(
        new CreateQueueCommand({
          QueueName: physicalName(ctx.stack.stackName, `${logicalId}-to-lambda`, 80),
        }),
      );
      const { Attributes } = await ctx.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
      );
      endpoint = Attributes?.QueueArn;
      ctx.snsLambdaBridges.push({
        queueUrl: QueueUrl ?? '',
        functionName: bridgeFunction,
        subscriptionArn: '',
      });
    }
    const attributes: Record<string, string> = {};
    for (const key of ['FilterPolicy', 'FilterPolicyScope', 'RawMessageDelivery', 'RedrivePolicy']) {
      const value = str(p[key]);
      if (value !== undefined) attributes[key] = value;
    }
    if (bridgeFunction) delete attributes.RawMessageDelivery;
    const { SubscriptionArn } = await ctx.sns.send(
      new SubscribeCommand({
        TopicArn: str(p.TopicArn),
        Protocol: 'sqs',
        Endpoint: endpoint,
        Attributes: attributes,
        ReturnSubscriptionArn: true,
      }),
    );
    const bridge = ctx.snsLambdaBridges.at(-1);
    if (bridgeFunction && bridge) bridge.subscriptionArn = SubscriptionArn ?? '';
    return { ref: SubscriptionArn ?? '', attributes: {} };
  },
};
