import { SendMessageCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import type { ServiceEndpoint, ServiceRuntime, ServiceState } from '../../core/services.js';

/** SQS of one runtime: fauxqs's SQS (started by core with the other engines), its client, and the queues. */
export class SqsService implements ServiceState {
  public readonly client: SQSClient;
  /** Queue URL by ARN, filled as queues are created. */
  private readonly urls = new Map<string, string>();

  constructor(private readonly runtime: ServiceRuntime) {
    this.client = runtime.engines.sqs;
  }

  /** Records a queue of the application. */
  public addQueue(arn: string, url: string): void {
    this.urls.set(arn, url);
  }

  /** The URL of a queue of the application, by ARN; undefined for anything else. */
  public queueUrl(arn: string): string | undefined {
    return this.urls.get(arn);
  }

  /** Sends a message to a queue, by URL. */
  public async send(
    queueUrl: string,
    body: string,
    attributes: Record<string, MessageAttributeValue> = {},
  ): Promise<void> {
    await this.client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, MessageAttributes: attributes }),
    );
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  public async listen(): Promise<readonly ServiceEndpoint[]> {
    return [{ name: 'sqs', sdkId: 'SQS', url: this.runtime.engines.endpoints.sqs }];
  }
}
