import type { S3Client } from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import type { ServiceEndpoint, ServiceRuntime, ServiceState } from '../../core/services.js';
import { envelope } from '../events/envelope.js';
import { EventsService } from '../events/service.js';
import { LambdaService } from '../lambda/service.js';
import { SqsService } from '../sqs/service.js';
import {
  eventBridgeDetail,
  eventRecords,
  matchesRule,
  testEvent,
  type Destination,
  type NotificationRule,
  type ObjectEvent,
} from './notifications.js';
import { watchObjects } from './object-watch.js';

/** The notification configuration of one bucket. */
export interface BucketNotifications {
  readonly rules: readonly NotificationRule[];
  /** `EventBridgeConfiguration`: every event also goes to the default event bus. */
  readonly eventBridge: boolean;
}

/**
 * S3 of one runtime: fauxqs's S3 (started by core with the other engines), its client, and the buckets'
 * event notifications, sent for every object created or deleted in it from the moment they are configured.
 */
export class S3Service implements ServiceState {
  public readonly client: S3Client;
  private readonly notifications = new Map<string, BucketNotifications>();
  private readonly inFlight = new Set<Promise<void>>();
  private halted = false;

  constructor(private readonly runtime: ServiceRuntime) {
    this.client = runtime.engines.s3;
    watchObjects(runtime.engines.fauxqs.s3Store, (event) => {
      try {
        this.notify(event);
      } catch (error: unknown) {
        this.log(`[s3] the notifications of ${event.bucket}/${event.key} failed: ${String(error)}`);
      }
    });
  }

  /**
   * Adds to a bucket's notification configuration, and sends `s3:TestEvent` to each queue and topic it
   * names, as S3 does when a configuration is put.
   */
  public async configureNotifications(bucket: string, config: BucketNotifications): Promise<void> {
    const current = this.notifications.get(bucket);
    this.notifications.set(bucket, {
      rules: [...(current?.rules ?? []), ...config.rules],
      eventBridge: (current?.eventBridge ?? false) || config.eventBridge,
    });
    const named = new Map(
      config.rules
        .filter((r) => r.destination.kind !== 'lambda')
        .map((r) => [r.destination.arn, r.destination]),
    );
    for (const destination of named.values()) {
      await this.send(destination, JSON.stringify(testEvent(bucket)));
    }
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  public async listen(): Promise<readonly ServiceEndpoint[]> {
    return [{ name: 's3', sdkId: 'S3', url: this.runtime.engines.endpoints.s3 }];
  }

  public async halt(): Promise<void> {
    this.halted = true;
    await Promise.allSettled([...this.inFlight]);
  }

  private notify(event: ObjectEvent): void {
    const config = this.notifications.get(event.bucket);
    if (!config || this.halted) return;
    for (const rule of config.rules) {
      if (!matchesRule(rule, event)) continue;
      const records = eventRecords(this.runtime.env, rule, event);
      this.track(rule.destination, records);
    }
    if (config.eventBridge) {
      const { detailType, detail, resources } = eventBridgeDetail(this.runtime.env, event);
      this.runtime
        .service(EventsService)
        .put(
          'default',
          envelope(this.runtime.env, { source: 'aws.s3', detailType, detail, resources, time: event.time }),
        );
    }
  }

  /** Lambda gets the records as the event of an asynchronous invocation, SQS and SNS as the message. */
  private track(destination: Destination, records: unknown): void {
    const run = (async () => {
      if (destination.kind === 'lambda') {
        this.runtime.service(LambdaService).asyncInvoker.invoke(destination.arn, records);
      } else {
        await this.send(destination, JSON.stringify(records));
      }
    })()
      .catch((error: unknown) => {
        this.log(
          `[s3] an event notification could not reach ${destination.arn}: ${error instanceof Error ? error.message : String(error)}`,
        );
      })
      .finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }

  private log(line: string): void {
    if (this.runtime.options.log) this.runtime.options.log(line);
    else process.stderr.write(`${line}\n`);
  }

  private async send(destination: Destination, message: string): Promise<void> {
    if (destination.kind === 'sqs') {
      const sqs = this.runtime.service(SqsService);
      const url = sqs.queueUrl(destination.arn);
      if (url === undefined) throw new Error(`${destination.arn} is not a queue of the application`);
      await sqs.send(url, message);
    } else if (destination.kind === 'sns') {
      await this.runtime.engines.sns.send(
        new PublishCommand({
          TopicArn: destination.arn,
          Subject: 'Amazon S3 Notification',
          Message: message,
        }),
      );
    }
  }
}
