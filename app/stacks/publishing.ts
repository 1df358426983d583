import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FanOutTopic } from '@conflux/constructs';
import { alarmAbove } from '@conflux/constructs';

/** Properties of {@link DomainEventPublishing}. */
export interface DomainEventPublishingProps {
  readonly domainEvents: FanOutTopic;
  readonly alarmTopic?: sns.ITopic;
}

/**
 * What every producer of domain events needs: the topic, and the rejected-events queue where an event that
 * fails its registered schema goes with the validation errors instead of being published (it alarms).
 */
export class DomainEventPublishing extends Construct {
  public readonly rejected: sqs.Queue;
  private readonly domainEvents: FanOutTopic;

  constructor(scope: Construct, id: string, props: DomainEventPublishingProps) {
    super(scope, id);
    this.domainEvents = props.domainEvents;
    this.rejected = new sqs.Queue(this, 'RejectedEvents', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    const isDlq =
      'This queue is the dead-letter queue of events that failed their schema at publish; it alarms when not empty.';
    Validations.of(this.rejected).acknowledge(
      { id: 'AwsSolutions::AwsSolutions-SQS3', reason: isDlq },
      { id: 'Serverless::Serverless-SQSRedrivePolicy', reason: isDlq },
    );
    alarmAbove(
      this,
      'RejectedEventsNotEmpty',
      this.rejected.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      {
        description: 'a producer built an event its schema rejects; it was not published.',
        topic: props.alarmTopic,
      },
    );
  }

  /** Lets `fn` publish domain events (and reject invalid ones), and tells it where. */
  public grantPublish(fn: lambda.Function): void {
    this.domainEvents.grantPublish(fn);
    this.rejected.grantSendMessages(fn);
    fn.addEnvironment('DOMAIN_EVENTS_TOPIC_ARN', this.domainEvents.topic.topicArn);
    fn.addEnvironment('REJECTED_EVENTS_QUEUE_URL', this.rejected.queueUrl);
  }
}
