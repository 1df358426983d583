import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { AsyncInvoker } from '../lambda/async-invoker.js';

/** An SNS subscription of a Lambda function: the internal queue subscribed to the topic, and the function. */
export interface SnsLambdaSubscription {
  readonly queueUrl: string;
  readonly functionName: string;
  readonly subscriptionArn: string;
}

interface Envelope {
  Type?: string;
  MessageId?: string;
  TopicArn?: string;
  Subject?: string;
  Message?: string;
  Timestamp?: string;
  SignatureVersion?: string;
  Signature?: string;
  SigningCertURL?: string;
  UnsubscribeURL?: string;
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

/**
 * Delivers an SNS topic's messages to a Lambda function as SNS does: one asynchronous invocation per message
 * with the SNS event shape. The engine delivers to an internal queue (applying the filter policy), and
 * this bridge drains it.
 */
export class SnsLambdaBridge {
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly sqs: SQSClient,
    private readonly invoker: AsyncInvoker,
    private readonly bridge: SnsLambdaSubscription,
  ) {}

  public start(): void {
    this.running = true;
    this.loop = this.run();
  }

  public async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const { Messages = [] } = await this.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.bridge.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
          }),
        );
        for (const message of Messages) {
          this.invoker.invoke(this.bridge.functionName, {
            Records: [this.record(JSON.parse(message.Body ?? '{}') as Envelope)],
          });
        }
        if (Messages.length > 0) {
          await this.sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: this.bridge.queueUrl,
              Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
            }),
          );
        }
      } catch (error: unknown) {
        process.stderr.write(
          `[sns→lambda ${this.bridge.functionName}] ${error instanceof Error ? error.message : String(error)}\n`,
        );
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  private record(e: Envelope) {
    return {
      EventVersion: '1.0',
      EventSubscriptionArn: this.bridge.subscriptionArn,
      EventSource: 'aws:sns',
      Sns: {
        Type: e.Type ?? 'Notification',
        MessageId: e.MessageId,
        TopicArn: e.TopicArn,
        Subject: e.Subject ?? null,
        Message: e.Message,
        Timestamp: e.Timestamp,
        SignatureVersion: e.SignatureVersion ?? '1',
        Signature: e.Signature ?? 'local',
        SigningCertUrl: e.SigningCertURL ?? 'https://sns.local/cert.pem',
        UnsubscribeUrl:
          e.UnsubscribeURL ??
          `https://sns.local/?Action=Unsubscribe&SubscriptionArn=${this.bridge.subscriptionArn}`,
        MessageAttributes: e.MessageAttributes ?? {},
      },
    };
  }
}
