import { createHash } from 'node:crypto';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Schema, Type } from 'avsc';
import avro from 'avsc/etc/browser/avsc-types.js';
import { DomainEvent } from './schemas.js';

/**
 * The same UUID for the same facts (`OrderCancelled` of order 42 is always one id), so a producer that
 * publishes again after a retry produces a duplicate consumers recognise, never a second event.
 */
export function eventIdFor(...facts: string[]): string {
  const hex = createHash('sha256').update(facts.join('\u0000')).digest('hex');
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Avro schemas by event type and version (the `.avsc` files, as JSON). */
export type RegisteredSchemas = Readonly<Record<string, Readonly<Record<number, object>>>>;

/** What a {@link createSchemaCatalog} answers. */
export interface SchemaCatalog {
  /** Why `data` is not a valid `eventType` v`version` event: one line per bad field; empty when valid. */
  readonly validate: (eventType: string, version: number, data: unknown) => string[];
  /**
   * Reads data written as `eventType` v`writerVersion` the way a consumer of v`readerVersion` expects it,
   * through Avro schema resolution: fields the reader does not know are dropped, fields it has with
   * defaults are filled. So a v1 consumer keeps working when v2 events arrive.
   */
  readonly readAs: (
    eventType: string,
    writerVersion: number,
    data: unknown,
    readerVersion: number,
  ) => unknown;
}

/** Validation and schema resolution over an application's registered Avro schemas (parsed once each). */
export function createSchemaCatalog(registered: RegisteredSchemas): SchemaCatalog {
  const types = new Map<string, Type>();
  const typeOf = (eventType: string, version: number): Type | undefined => {
    const schema = registered[eventType]?.[version];
    if (!schema) return undefined;
    const key = `${eventType}@${version}`;
    let type = types.get(key);
    if (!type) {
      type = avro.Type.forSchema(schema as Schema, { wrapUnions: false });
      types.set(key, type);
    }
    return type;
  };
  return {
    validate: (eventType, version, data) => {
      const type = typeOf(eventType, version);
      if (!type) return [`no schema is registered for ${eventType} v${version}`];
      const errors: string[] = [];
      type.isValid(data, {
        errorHook: (path: string[], value: unknown, expected: Type) => {
          errors.push(
            `${path.join('.') || '(data)'}: ${value === undefined ? 'undefined' : JSON.stringify(value)} is not a valid ${expected.typeName}`,
          );
        },
      });
      return errors;
    },
    readAs: (eventType, writerVersion, data, readerVersion) => {
      const writer = typeOf(eventType, writerVersion);
      const reader = typeOf(eventType, readerVersion);
      if (!writer || !reader)
        throw new Error(`no schema is registered for ${eventType} v${writerVersion} or v${readerVersion}`);
      if (writerVersion === readerVersion) return data;
      return reader.fromBuffer(writer.toBuffer(data), reader.createResolver(writer)) as unknown;
    },
  };
}

/** What became of an event handed to an {@link createEventPublisher} publisher. */
export type PublishOutcome =
  { readonly published: true } | { readonly published: false; readonly errors: string[] };

/** Where a publisher sends, and how it checks an event's data. */
export interface EventPublisherOptions {
  /** Why the event's data does not match its registered schema; empty when it does. */
  readonly validate: (eventType: string, version: number, data: unknown) => string[];
  /** The SNS topic events go to (read when publishing, so a missing variable names itself). */
  readonly topicArn: () => string;
  /** The SQS queue refused events go to, with their validation errors. */
  readonly rejectedQueueUrl: () => string;
}

/**
 * A publisher of domain events to an SNS topic, with the attributes filters use — if they validate: the
 * envelope against `DomainEvent`, the data against the registered schema of its type and version. An event
 * that does not validate is not published: it goes to the rejected-events queue with the validation errors
 * (retrying could not fix it), and the outcome says so.
 */
export function createEventPublisher(
  options: EventPublisherOptions,
): (event: DomainEvent) => Promise<PublishOutcome> {
  const sns = new SNSClient({});
  const sqs = new SQSClient({});
  return async (event) => {
    const envelope = DomainEvent.safeParse(event);
    const errors = envelope.success
      ? options.validate(event.eventType, event.schemaVersion, event.data)
      : envelope.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`);
    if (errors.length > 0) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: options.rejectedQueueUrl(),
          MessageBody: JSON.stringify({ event, errors }),
          MessageAttributes: {
            reason: { DataType: 'String', StringValue: errors.join('; ').slice(0, 1000) },
            eventType: { DataType: 'String', StringValue: event.eventType },
          },
        }),
      );
      return { published: false, errors };
    }
    const valid = envelope.success ? envelope.data : event;
    await sns.send(
      new PublishCommand({
        TopicArn: options.topicArn(),
        Message: JSON.stringify(valid),
        MessageAttributes: {
          eventType: { DataType: 'String', StringValue: valid.eventType },
          aggregateType: { DataType: 'String', StringValue: valid.aggregateType },
        },
      }),
    );
    return { published: true };
  };
}
