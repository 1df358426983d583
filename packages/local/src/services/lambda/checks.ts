import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { matches, parsePatterns } from './event-source-mapping/event-filter.js';
import { staticText, UNRESOLVED, type CheckContext } from '../../core/provisioning.js';
import { onlyServesHandledCustomResources } from '../cloudformation/handlers.js';

/** The value of a template property when the template alone tells it; undefined for an intrinsic. */
const literal = (value: unknown): string | undefined => {
  const text = staticText(value);
  return text === undefined || text.includes(UNRESOLVED) ? undefined : text;
};

/** Types a dead-letter queue or an on-failure destination may be. */
const QUEUE_OR_TOPIC = ['AWS::SQS::Queue', 'AWS::SNS::Topic'];

/**
 * What stops an `AWS::Lambda::Function` from running offline, from its template alone: a runtime other than
 * Node.js, code that is neither inline nor a file asset of the assembly, a handler that names no file of its
 * code, a dead-letter target that is not a queue or topic.
 */
export function checkFunction(ctx: CheckContext, p: Readonly<Record<string, unknown>>): string[] {
  // CDK's handlers of custom resources the runtime provisions itself are never run.
  if (onlyServesHandledCustomResources(ctx.stack, ctx.logicalId)) return [];
  const problems: string[] = [];
  if (p.Layers !== undefined) {
    problems.push(
      `${ctx.where}: Layers are not supported offline; bundle what the layers hold with the function`,
    );
  }
  const runtime = p.Runtime === undefined ? '' : literal(p.Runtime);
  if (runtime !== undefined && !runtime.startsWith('nodejs')) {
    problems.push(
      `${ctx.where}: Runtime "${runtime}" is not supported offline; only Node.js runtimes (nodejs18.x … nodejs24.x) are`,
    );
  }
  const code = (p.Code ?? {}) as Record<string, unknown>;
  if (code.ZipFile === undefined) {
    const key = code.S3Key === undefined ? '' : literal(code.S3Key);
    const dir = key === undefined ? undefined : ctx.stack.assetsByObjectKey.get(key);
    if (key !== undefined && dir === undefined) {
      problems.push(`${ctx.where}: Code must be a file asset of the cloud assembly or inline ZipFile`);
    } else if (dir !== undefined) {
      const handler = p.Handler === undefined ? 'index.handler' : literal(p.Handler);
      const dot = handler?.lastIndexOf('.') ?? -1;
      if (handler !== undefined && (dot < 0 || !hasModule(dir, handler.slice(0, dot)))) {
        problems.push(
          `${ctx.where}: Handler "${handler}" names no .js, .cjs or .mjs file of the function's code (${path.basename(dir)})`,
        );
      }
    }
  }
  const deadLetter = (p.DeadLetterConfig as { TargetArn?: unknown } | undefined)?.TargetArn;
  const type = ctx.typeOf(deadLetter);
  if (type !== undefined && !QUEUE_OR_TOPIC.includes(type)) {
    problems.push(
      `${ctx.where}: DeadLetterConfig.TargetArn names a resource of type ${type}; it must be an SQS queue or SNS topic`,
    );
  }
  return problems;
}

function hasModule(dir: string, file: string): boolean {
  return ['.js', '.cjs', '.mjs'].some((ext) => existsSync(path.join(dir, `${file}${ext}`)));
}

/** The types whose `Ref` or `GetAtt` may be an event source mapping's `EventSourceArn`. */
const EVENT_SOURCE_TYPES = [
  'AWS::SQS::Queue',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::Kinesis::Stream',
  'AWS::Kinesis::StreamConsumer',
];

/**
 * What stops an `AWS::Lambda::EventSourceMapping` from running offline, from its template alone: a filter
 * the runtime cannot evaluate, `AT_TIMESTAMP` on a DynamoDB stream (Lambda refuses it too) or without its
 * timestamp, a source or an on-failure destination of an unsupported type.
 */
export function checkEventSourceMapping(ctx: CheckContext, p: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  if (p.Enabled === false || p.Enabled === 'false') return problems;
  const filters = (p.FilterCriteria as { Filters?: { Pattern?: unknown }[] } | undefined)?.Filters ?? [];
  if (filters.every((f) => literal(f.Pattern) !== undefined || typeof f.Pattern === 'object')) {
    try {
      // Evaluated once against an empty record so that an unsupported operator is found now.
      parsePatterns(filters).forEach((f) => matches(f, {}));
    } catch (error: unknown) {
      problems.push(
        `${ctx.where}: FilterCriteria: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  const source = ctx.typeOf(p.EventSourceArn);
  if (p.StartingPosition === 'AT_TIMESTAMP') {
    const sourceText = staticText(p.EventSourceArn) ?? '';
    if (source?.startsWith('AWS::DynamoDB::') || /^arn:[^:]+:dynamodb:/.test(sourceText)) {
      problems.push(
        `${ctx.where}: StartingPosition AT_TIMESTAMP is for Kinesis streams only; a DynamoDB stream starts at TRIM_HORIZON or LATEST`,
      );
    } else if (p.StartingPositionTimestamp === undefined) {
      problems.push(
        `${ctx.where}: StartingPosition AT_TIMESTAMP needs StartingPositionTimestamp (epoch seconds)`,
      );
    }
  }
  if (source !== undefined && !EVENT_SOURCE_TYPES.includes(source)) {
    problems.push(
      `${ctx.where}: EventSourceArn names a resource of type ${source}: only SQS queues, DynamoDB streams and Kinesis streams of the application are supported as event sources`,
    );
  }
  const destination = (p.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)
    ?.OnFailure?.Destination;
  const type = ctx.typeOf(destination);
  if (type !== undefined && !QUEUE_OR_TOPIC.includes(type)) {
    problems.push(
      `${ctx.where}: DestinationConfig.OnFailure.Destination names a resource of type ${type}; it must be an SQS queue or SNS topic`,
    );
  }
  return problems;
}
