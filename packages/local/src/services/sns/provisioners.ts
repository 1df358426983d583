import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { asText } from '../../core/intrinsics.js';
import {
  accepted,
  NOT_ENFORCED,
  physicalName,
  regional,
  staticText,
  str,
  UNRESOLVED,
  TAGS,
  UnsupportedResourceError,
  type Provisioner,
} from '../../core/provisioning.js';
import type { ServiceModule } from '../../core/services.js';
import { LambdaService } from '../lambda/service.js';
import { SqsService } from '../sqs/service.js';
import { SnsService } from './service.js';

const snsTopic: Provisioner = {
  applies: ['TopicName', 'FifoTopic', 'ContentBasedDeduplication'],
  accepts: { KmsMasterKeyId: NOT_ENFORCED, DisplayName: 'used by SMS and email only', Tags: TAGS },
  async create(ctx, logicalId, p) {
    const fifo = p.FifoTopic === true || p.FifoTopic === 'true';
    const name = str(p.TopicName) ?? physicalName(ctx.stack.stackName, logicalId, 256, fifo ? '.fifo' : '');
    const attributes: Record<string, string> = {};
    if (fifo) attributes.FifoTopic = 'true';
    if (p.ContentBasedDeduplication !== undefined)
      attributes.ContentBasedDeduplication = asText(p.ContentBasedDeduplication);
    const { TopicArn } = await ctx
      .service(SnsService)
      .client.send(new CreateTopicCommand({ Name: name, Attributes: attributes }));
    return { ref: TopicArn ?? '', attributes: { TopicArn: TopicArn ?? '', TopicName: name } };
  },
};

const snsSubscription: Provisioner = {
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
  check(ctx, p) {
    const protocol = staticText(p.Protocol);
    return protocol === undefined || protocol === UNRESOLVED || protocol === 'sqs' || protocol === 'lambda'
      ? []
      : [`${ctx.where}: Protocol "${protocol}" is not supported offline; "sqs" and "lambda" are`];
  },
  async create(ctx, logicalId, p) {
    if (p.Protocol !== 'sqs' && p.Protocol !== 'lambda') {
      throw new UnsupportedResourceError(
        `${ctx.stack.stackName}/${logicalId} (AWS::SNS::Subscription): Protocol "${asText(p.Protocol)}" is not supported offline; "sqs" and "lambda" are`,
      );
    }
    const sns = ctx.service(SnsService);
    let endpoint = str(p.Endpoint);
    let bridge: { functionName: string; queueUrl: string } | undefined;
    if (p.Protocol === 'lambda') {
      // SNS invokes Lambda asynchronously; an internal queue takes the deliveries (filter policy applied by the engine).
      const functionName = endpoint ?? '';
      if (!ctx.service(LambdaService).host.get(functionName)) {
        throw new UnsupportedResourceError(
          `${ctx.stack.stackName}/${logicalId} (AWS::SNS::Subscription): Endpoint ${functionName} names no Lambda function of the application`,
        );
      }
      const sqs = ctx.service(SqsService).client;
      const { QueueUrl } = await sqs.send(
        new CreateQueueCommand({
          QueueName: physicalName(ctx.stack.stackName, `${logicalId}-to-lambda`, 80),
        }),
      );
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
      );
      endpoint = Attributes?.QueueArn;
      bridge = { functionName, queueUrl: QueueUrl ?? '' };
    }
    const attributes: Record<string, string> = {};
    for (const key of ['FilterPolicy', 'FilterPolicyScope', 'RawMessageDelivery', 'RedrivePolicy']) {
      const value = str(p[key]);
      if (value !== undefined) attributes[key] = value;
    }
    if (bridge) delete attributes.RawMessageDelivery;
    const { SubscriptionArn } = await sns.client.send(
      new SubscribeCommand({
        TopicArn: str(p.TopicArn),
        Protocol: 'sqs',
        Endpoint: endpoint,
        Attributes: attributes,
        ReturnSubscriptionArn: true,
      }),
    );
    if (bridge) sns.addLambdaSubscription({ ...bridge, subscriptionArn: SubscriptionArn ?? '' });
    return { ref: SubscriptionArn ?? '', attributes: {} };
  },
};

/** SNS topics on fauxqs, with SQS and Lambda subscriptions. */
export const sns: ServiceModule = {
  name: 'sns',
  state: SnsService,
  provisioners: {
    'AWS::SNS::Topic': snsTopic,
    'AWS::SNS::Subscription': snsSubscription,
    'AWS::SNS::TopicPolicy': accepted(NOT_ENFORCED, regional('sns', '')),
  },
};
