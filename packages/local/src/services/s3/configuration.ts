import { str, UnsupportedResourceError, type CheckContext } from '../../core/provisioning.js';
import { generatedId, type Destination, type NotificationRule } from './notifications.js';

/** The three kinds of configuration of `NotificationConfiguration`, with the field naming the destination. */
const KINDS = [
  {
    list: 'LambdaFunctionConfigurations',
    field: 'LambdaFunctionArn',
    kind: 'lambda',
    type: 'AWS::Lambda::Function',
  },
  { list: 'QueueConfigurations', field: 'QueueArn', kind: 'sqs', type: 'AWS::SQS::Queue' },
  { list: 'TopicConfigurations', field: 'TopicArn', kind: 'sns', type: 'AWS::SNS::Topic' },
] as const;

const KNOWN = new Set(['EventBridgeConfiguration', ...KINDS.map((k) => k.list)]);

/** An event type S3 notifies of: `s3:ObjectCreated:*`, `s3:ObjectRemoved:Delete`, `s3:ObjectRestore:Post`, … */
const EVENT_TYPE = /^s3:[A-Za-z]+(:[A-Za-z*]+)?$/;

interface Configuration {
  Id?: unknown;
  Events?: unknown;
  Filter?: { Key?: { FilterRules?: { Name?: unknown; Value?: unknown }[] } };
  [field: string]: unknown;
}

function configurations(config: unknown, list: string): Configuration[] {
  const value = (config as Record<string, unknown> | undefined)?.[list];
  return Array.isArray(value) ? (value as Configuration[]) : [];
}

function filterProblems(c: Configuration, at: string): string[] {
  const names = (c.Filter?.Key?.FilterRules ?? []).map((r) => String(r.Name).toLowerCase());
  return [
    ...names
      .filter((n) => n !== 'prefix' && n !== 'suffix')
      .map(
        (n) => `${at}.Filter.Key.FilterRules: "${n}" is not a filter rule name; S3 takes prefix and suffix`,
      ),
    ...['prefix', 'suffix']
      .filter((n) => names.filter((m) => m === n).length > 1)
      .map((n) => `${at}.Filter.Key.FilterRules: the ${n} rule is given more than once`),
  ];
}

/**
 * What in a `NotificationConfiguration` the runtime cannot apply, from the template: configuration kinds
 * other than Lambda, SQS, SNS and EventBridge, event types that are not S3's, filter rules other than
 * one prefix and one suffix, destinations that are not a function, queue or topic.
 */
export function notificationProblems(ctx: CheckContext, config: unknown): string[] {
  const problems: string[] = [];
  const where = `${ctx.where}: NotificationConfiguration`;
  for (const key of Object.keys((config as Record<string, unknown> | undefined) ?? {})) {
    if (!KNOWN.has(key)) problems.push(`${where}.${key} is not supported by the offline runtime`);
  }
  for (const { list, field, type } of KINDS) {
    configurations(config, list).forEach((c, i) => {
      const at = `${where}.${list}[${i}]`;
      const events = Array.isArray(c.Events) ? (c.Events as unknown[]) : [];
      for (const event of events) {
        if (typeof event === 'string' && !EVENT_TYPE.test(event))
          problems.push(`${at}.Events: "${event}" is not an S3 event type`);
      }
      problems.push(...filterProblems(c, at));
      const destination = ctx.typeOf(c[field]);
      if (destination !== undefined && destination !== type)
        problems.push(`${at}.${field} names a ${destination}; it must be an ${type}`);
    });
  }
  return problems;
}

/** The rules of a resolved `NotificationConfiguration`, and whether it sends events to EventBridge. */
export function notificationRules(
  bucket: string,
  config: unknown,
  where: string,
): { rules: NotificationRule[]; eventBridge: boolean } {
  const rules: NotificationRule[] = [];
  for (const { list, field, kind } of KINDS) {
    for (const c of configurations(config, list)) {
      const problem = filterProblems(c, `${where}: NotificationConfiguration.${list}`)[0];
      if (problem !== undefined) throw new UnsupportedResourceError(problem);
      const filter = (name: string) =>
        str(c.Filter?.Key?.FilterRules?.find((r) => String(r.Name).toLowerCase() === name)?.Value);
      const destination = { kind, arn: str(c[field]) ?? '' } as Destination;
      rules.push({
        id: str(c.Id) ?? generatedId(bucket, rules.length),
        events: Array.isArray(c.Events) ? c.Events.map(String) : [],
        prefix: filter('prefix'),
        suffix: filter('suffix'),
        destination,
      });
    }
  }
  const eventBridge = typeof config === 'object' && config !== null && 'EventBridgeConfiguration' in config;
  return { rules, eventBridge };
}

interface BucketConfiguration {
  Event?: unknown;
  Filter?: { S3Key?: { Rules?: unknown } };
  Id?: unknown;
  [field: string]: unknown;
}

/**
 * `AWS::S3::Bucket`'s own `NotificationConfiguration` (`LambdaConfigurations` with one `Event`, `Function`
 * and `Filter.S3Key.Rules`, …, `EventBridgeConfiguration.EventBridgeEnabled`) in the shape of the custom
 * resource's, which S3's API also takes.
 */
export function fromBucketProperty(config: unknown): Record<string, unknown> {
  const c = (config ?? {}) as Record<string, unknown>;
  const convert = (list: string, field: string, to: string) =>
    (Array.isArray(c[list]) ? (c[list] as BucketConfiguration[]) : []).map((entry) => ({
      ...(entry.Id === undefined ? {} : { Id: entry.Id }),
      Events: [entry.Event],
      ...(entry.Filter?.S3Key?.Rules === undefined
        ? {}
        : { Filter: { Key: { FilterRules: entry.Filter.S3Key.Rules } } }),
      [to]: entry[field],
    }));
  const eventBridge = (c.EventBridgeConfiguration as { EventBridgeEnabled?: unknown } | undefined)
    ?.EventBridgeEnabled;
  return {
    LambdaFunctionConfigurations: convert('LambdaConfigurations', 'Function', 'LambdaFunctionArn'),
    QueueConfigurations: convert('QueueConfigurations', 'Queue', 'QueueArn'),
    TopicConfigurations: convert('TopicConfigurations', 'Topic', 'TopicArn'),
    ...(eventBridge === true || eventBridge === 'true' ? { EventBridgeConfiguration: {} } : {}),
  };
}
