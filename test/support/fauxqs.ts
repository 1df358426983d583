import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { startFauxqs } from '../../packages/local/src/core/engines';

type Resource = { Type: string; Properties?: Record<string, unknown> };
type Template = { Resources: Record<string, Resource> };

/** The SQS queues and SNS topics of a template, created on fauxqs, by logical id. */
export interface MessagingEngine {
  readonly endpoint: string;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  /** Queue URL and ARN by the queue's logical id. */
  readonly queues: Map<string, { url: string; arn: string }>;
  /** Topic ARN by the topic's logical id. */
  readonly topics: Map<string, string>;
  stop(): Promise<void>;
}

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/**
 * Starts fauxqs and creates the template's queues (with their redrive policies), topics and SQS
 * subscriptions (with filter policies, raw delivery and subscription DLQs) as the template declares them.
 * Only the intrinsics these resources use (`Ref` of a topic, `Fn::GetAtt` of a queue's `Arn`) are resolved.
 */
export async function startMessagingEngine(template: Template): Promise<MessagingEngine> {
  const server = await startFauxqs('us-east-1');
  const endpoint = server.address;
  const sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials });
  const sns = new SNSClient({ endpoint, region: 'us-east-1', credentials });
  const queues = new Map<string, { url: string; arn: string }>();
  const topics = new Map<string, string>();
  const entries = Object.entries(template.Resources);

  const arnOf = (value: unknown): string => {
    const id = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt']?.[0];
    const queue = id === undefined ? undefined : queues.get(id);
    if (!queue) throw new Error(`cannot resolve ${JSON.stringify(value)} to a queue ARN`);
    return queue.arn;
  };

  // Dead-letter queues first: a redrive policy names its target's ARN.
  const sqsQueues = entries.filter(([, r]) => r.Type === 'AWS::SQS::Queue');
  sqsQueues.sort(
    ([, a], [, b]) =>
      Number(a.Properties?.RedrivePolicy !== undefined) - Number(b.Properties?.RedrivePolicy !== undefined),
  );
  for (const [id, resource] of sqsQueues) {
    const p = resource.Properties ?? {};
    const fifo = p.FifoQueue === true;
    const attributes: Record<string, string> = {};
    if (fifo) attributes.FifoQueue = 'true';
    if (p.ContentBasedDeduplication === true) attributes.ContentBasedDeduplication = 'true';
    if (typeof p.VisibilityTimeout === 'number') attributes.VisibilityTimeout = String(p.VisibilityTimeout);
    if (typeof p.MessageRetentionPeriod === 'number')
      attributes.MessageRetentionPeriod = String(p.MessageRetentionPeriod);
    const redrive = p.RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: number } | undefined;
    if (redrive) {
      attributes.RedrivePolicy = JSON.stringify({
        deadLetterTargetArn: arnOf(redrive.deadLetterTargetArn),
        maxReceiveCount: redrive.maxReceiveCount,
      });
    }
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: `${id}${fifo ? '.fifo' : ''}`, Attributes: attributes }),
    );
    if (!QueueUrl) throw new Error(`no URL for queue ${id}`);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    queues.set(id, { url: QueueUrl, arn: Attributes?.QueueArn ?? '' });
  }

  for (const [id, resource] of entries.filter(([, r]) => r.Type === 'AWS::SNS::Topic')) {
    const fifo = resource.Properties?.FifoTopic === true;
    const { TopicArn } = await sns.send(
      new CreateTopicCommand({
        Name: `${id}${fifo ? '.fifo' : ''}`,
        Attributes: fifo ? { FifoTopic: 'true' } : {},
      }),
    );
    topics.set(id, TopicArn ?? '');
  }

  for (const [id, resource] of entries.filter(([, r]) => r.Type === 'AWS::SNS::Subscription')) {
    const p = resource.Properties ?? {};
    if (p.Protocol !== 'sqs')
      throw new Error(`subscription ${id}: protocol ${String(p.Protocol)} is not provisioned here`);
    const topicId = (p.TopicArn as { Ref: string }).Ref;
    const attributes: Record<string, string> = {};
    if (p.FilterPolicy !== undefined) attributes.FilterPolicy = JSON.stringify(p.FilterPolicy);
    if (typeof p.FilterPolicyScope === 'string') attributes.FilterPolicyScope = p.FilterPolicyScope;
    if (p.RawMessageDelivery === true) attributes.RawMessageDelivery = 'true';
    const redrive = p.RedrivePolicy as { deadLetterTargetArn: unknown } | undefined;
    if (redrive)
      attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: arnOf(redrive.deadLetterTargetArn) });
    await sns.send(
      new SubscribeCommand({
        TopicArn: topics.get(topicId),
        Protocol: 'sqs',
        Endpoint: arnOf(p.Endpoint),
        Attributes: attributes,
        ReturnSubscriptionArn: true,
      }),
    );
  }

  return {
    endpoint,
    sqs,
    sns,
    queues,
    topics,
    stop: async () => {
      sqs.destroy();
      sns.destroy();
      await server.stop();
    },
  };
}
