import { createHash, randomBytes } from 'node:crypto';
import type { LocalEnvironment } from '../../core/intrinsics.js';

/** What happened to an object, as S3 names it in `eventName` after `ObjectCreated:` or `ObjectRemoved:`. */
export type ObjectChange = 'Put' | 'Copy' | 'CompleteMultipartUpload' | 'Delete';

/** One write or deletion of an object in the local S3. */
export interface ObjectEvent {
  readonly bucket: string;
  /** The key as written, not encoded. */
  readonly key: string;
  readonly change: ObjectChange;
  /** Bytes and ETag (no quotes) of a created object; a deletion has neither. */
  readonly size?: number;
  readonly eTag?: string;
  readonly time: Date;
  /** Orders the events of one key: a later event has a greater sequencer (compared as hex, same length). */
  readonly sequencer: string;
  /** `x-amz-request-id` and `x-amz-id-2`, shared by every record of one request. */
  readonly requestId: string;
  readonly hostId: string;
}

/** Where one notification configuration sends its events. */
export type Destination =
  | { readonly kind: 'lambda'; readonly arn: string }
  | { readonly kind: 'sqs'; readonly arn: string }
  | { readonly kind: 'sns'; readonly arn: string };

/** One entry of `LambdaFunctionConfigurations`, `QueueConfigurations` or `TopicConfigurations`. */
export interface NotificationRule {
  /** `Id`, or the one S3 makes up when the configuration has none. */
  readonly id: string;
  /** `s3:ObjectCreated:*`, `s3:ObjectCreated:Put`, `s3:ObjectRemoved:*`, … */
  readonly events: readonly string[];
  readonly prefix?: string;
  readonly suffix?: string;
  readonly destination: Destination;
}

/** The `eventName` of an object event: `ObjectCreated:Put`, `ObjectRemoved:Delete`, … */
export function eventName(change: ObjectChange): string {
  return change === 'Delete' ? 'ObjectRemoved:Delete' : `ObjectCreated:${change}`;
}

/** Whether a rule takes an event: one of its event types names it (`s3:ObjectCreated:*` every creation) and its filter matches the key. */
export function matchesRule(rule: NotificationRule, event: ObjectEvent): boolean {
  const name = `s3:${eventName(event.change)}`;
  const typed = rule.events.some((type) =>
    type.endsWith(':*') ? name.startsWith(type.slice(0, -1)) : type === name,
  );
  return (
    typed &&
    (rule.prefix === undefined || event.key.startsWith(rule.prefix)) &&
    (rule.suffix === undefined || event.key.endsWith(rule.suffix))
  );
}

/**
 * An object key as S3 writes it in an event record: URL-encoded the way HTML forms are (a space is `+`),
 * with `/` and the characters forms leave alone (`A-Z a-z 0-9 - _ . *`) as they are.
 */
export function encodeKey(key: string): string {
  return [...Buffer.from(key, 'utf8')]
    .map((byte) => {
      const c = String.fromCharCode(byte);
      if (/[A-Za-z0-9\-_.*/]/.test(c)) return c;
      if (c === ' ') return '+';
      return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/** The `Records` message S3 sends to Lambda, SQS and SNS for one event and one rule (event version 2.1). */
export function eventRecords(
  env: LocalEnvironment,
  rule: NotificationRule,
  event: ObjectEvent,
): { Records: Record<string, unknown>[] } {
  const created = event.change !== 'Delete';
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: env.region,
        eventTime: event.time.toISOString(),
        eventName: eventName(event.change),
        userIdentity: { principalId: `AWS:${env.accountId}` },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': event.requestId, 'x-amz-id-2': event.hostId },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: rule.id,
          bucket: {
            name: event.bucket,
            ownerIdentity: { principalId: env.accountId },
            arn: `arn:${env.partition}:s3:::${event.bucket}`,
          },
          object: {
            key: encodeKey(event.key),
            ...(created ? { size: event.size ?? 0, eTag: event.eTag ?? '' } : {}),
            sequencer: event.sequencer,
          },
        },
      },
    ],
  };
}

/** The `s3:TestEvent` message S3 sends to a queue or topic when a configuration naming it is applied. */
export function testEvent(bucket: string, time = new Date()): Record<string, string> {
  return {
    Service: 'Amazon S3',
    Event: 's3:TestEvent',
    Time: time.toISOString(),
    Bucket: bucket,
    RequestId: requestId(),
    HostId: hostId(),
  };
}

const REASONS: Readonly<Record<ObjectChange, string>> = {
  Put: 'PutObject',
  Copy: 'CopyObject',
  CompleteMultipartUpload: 'CompleteMultipartUpload',
  Delete: 'DeleteObject',
};

/**
 * The EventBridge event of an object event, as S3 sends it to the default bus of a bucket with
 * `EventBridgeConfiguration` (`Object Created` or `Object Deleted`, source `aws.s3`); the key is not encoded.
 */
export function eventBridgeDetail(
  env: LocalEnvironment,
  event: ObjectEvent,
): { detailType: string; detail: Record<string, unknown>; resources: string[] } {
  const created = event.change !== 'Delete';
  const reason = REASONS[event.change];
  return {
    detailType: created ? 'Object Created' : 'Object Deleted',
    resources: [`arn:${env.partition}:s3:::${event.bucket}`],
    detail: {
      version: '0',
      bucket: { name: event.bucket },
      object: {
        key: event.key,
        ...(created ? { size: event.size ?? 0, etag: event.eTag ?? '' } : {}),
        sequencer: event.sequencer,
      },
      'request-id': event.requestId,
      requester: env.accountId,
      'source-ip-address': '127.0.0.1',
      reason,
      ...(created ? {} : { 'deletion-type': 'Permanently Deleted' }),
    },
  };
}

/** An `x-amz-request-id`: 16 upper-case hex digits. */
export function requestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

/** An `x-amz-id-2`. */
export function hostId(): string {
  return randomBytes(48).toString('base64');
}

/** The `Id` S3 gives a configuration that has none: stable for the same bucket and position. */
export function generatedId(bucket: string, index: number): string {
  return createHash('sha256').update(`${bucket}/${index}`).digest('base64').slice(0, 43);
}
