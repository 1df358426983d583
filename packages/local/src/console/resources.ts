import type { RunningApplication } from '../core/services.js';

/** What the console shows of a resource type: the resources it has live state for. */
export const CONSOLE_KINDS = {
  'AWS::SQS::Queue': 'queue',
  'AWS::SNS::Topic': 'topic',
  'AWS::Kinesis::Stream': 'stream',
  'AWS::DynamoDB::Table': 'table',
  'AWS::DynamoDB::GlobalTable': 'table',
  'AWS::StepFunctions::StateMachine': 'state-machine',
  'AWS::Lambda::Function': 'function',
  'AWS::Scheduler::Schedule': 'schedule',
  'AWS::Events::Rule': 'rule',
  'AWS::ApiGateway::RestApi': 'api',
  'AWS::ApiGateway::UsagePlan': 'usage-plan',
  'AWS::S3::Bucket': 'bucket',
} as const;

/** A kind of resource the console has live state for. */
export type ConsoleKind = (typeof CONSOLE_KINDS)[keyof typeof CONSOLE_KINDS];

/** One resource of the running application, as the console addresses it. */
export interface ConsoleResource {
  /** `<stackName>/<logicalId>`, the id of its node in the graph. */
  readonly id: string;
  readonly stackName: string;
  readonly logicalId: string;
  /** Its CloudFormation type. */
  readonly type: string;
  readonly kind: ConsoleKind;
  /** What the resource became: its `Ref` (queue URL, topic ARN, table name, function name, …). */
  readonly physical: string;
  /** Its template properties, as written (intrinsics unresolved). */
  readonly properties: Readonly<Record<string, unknown>>;
}

/** The physical value of `<stack>/<logicalId>`: by logical id, or by `<artifact id>/<logicalId>` when ids repeat. */
export function physicalOf(
  application: RunningApplication,
  stackName: string,
  logicalId: string,
): string | undefined {
  const stack = application.stacks.find((s) => s.stackName === stackName);
  if (!stack) return undefined;
  const { resources } = application;
  return (
    resources[`${stack.id}/${logicalId}`] ??
    resources[`${stack.stackName}/${logicalId}`] ??
    resources[logicalId]
  );
}

/**
 * Every resource of the application that the console shows live state of, with its physical value; a
 * resource that has not been created (yet) is left out.
 */
export function consoleResources(application: RunningApplication): ConsoleResource[] {
  const found: ConsoleResource[] = [];
  for (const stack of application.stacks) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources)) {
      const kind = (CONSOLE_KINDS as Readonly<Record<string, ConsoleKind>>)[resource.Type];
      if (!kind) continue;
      const physical = physicalOf(application, stack.stackName, logicalId);
      if (physical === undefined) continue;
      found.push({
        id: `${stack.stackName}/${logicalId}`,
        stackName: stack.stackName,
        logicalId,
        type: resource.Type,
        kind,
        physical,
        properties: resource.Properties ?? {},
      });
    }
  }
  return found;
}

/** A named console resource error: the resource the request names is unknown, or of another kind. */
export class ConsoleRequestError extends Error {
  public override readonly name = 'ConsoleRequestError';
  constructor(
    message: string,
    public readonly status: 400 | 404 | 405 | 409,
  ) {
    super(message);
  }
}
