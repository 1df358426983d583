import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { Saga, type SagaProps } from '../src/index.js';
import { testStack } from '../../../test/support/cdk.js';

function build(overrides: Partial<SagaProps> = {}) {
  const stack = testStack();
  const fn = (id: string) =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    });
  const a = fn('A');
  const b = fn('B');
  const saga = new Saga(stack, 'Saga', {
    steps: [
      {
        name: 'first',
        action: { function: a, operation: 'do' },
        compensation: { function: a, operation: 'undo' },
      },
      { name: 'second', action: { function: b, operation: 'do' }, timeout: Duration.seconds(5) },
    ],
    businessErrors: ['NopeError'],
    ...overrides,
  });
  return { stack, saga, template: Template.fromStack(stack) };
}

interface State {
  Type: string;
  Next?: string;
  Retry?: { ErrorEquals: string[]; JitterStrategy?: string; MaxAttempts?: number }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  TimeoutSeconds?: number;
}

function definition(template: Template): { States: Record<string, State>; TimeoutSeconds?: number } {
  const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0] as {
    Properties: { DefinitionString: { 'Fn::Join': [string, unknown[]] } };
  };
  const text = machine.Properties.DefinitionString['Fn::Join'][1]
    .map((part) => (typeof part === 'string' ? part : 'ref'))
    .join('');
  return JSON.parse(text) as { States: Record<string, State>; TimeoutSeconds?: number };
}

describe('Saga', () => {
  it('is a Standard state machine with logging ALL, X-Ray and a whole-saga timeout', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
    });
    expect(definition(template).TimeoutSeconds).toBe(300);
  });

  it('retries transient errors with jittered backoff only, and sends business errors straight to compensation', () => {
    const { States } = definition(build().template);
    const second = States.second;
    expect(second?.TimeoutSeconds).toBe(5);
    expect(second?.Retry).toHaveLength(1);
    expect(second?.Retry?.[0]).toMatchObject({ JitterStrategy: 'FULL', MaxAttempts: 3 });
    expect(second?.Retry?.[0]?.ErrorEquals).toContain('TransientError');
    expect(second?.Retry?.[0]?.ErrorEquals).not.toContain('NopeError');
    expect(second?.Catch?.map((c) => c.ErrorEquals)).toEqual([['NopeError'], ['States.ALL']]);
    // Step 2 has no compensation: its failure unwinds step 1.
    expect(second?.Catch?.[0]?.Next).toBe('Compensate first');
    expect(States.first?.Catch?.[0]?.Next).toBe('Compensate first');
  });

  it('retries a compensation until it succeeds or dead-letters it with its cause, then ends in a named failure', () => {
    const { template } = build();
    const { States } = definition(template);
    const compensate = States['Compensate first'];
    expect(compensate?.Retry?.[0]).toMatchObject({
      ErrorEquals: ['States.ALL'],
      MaxAttempts: 6,
      JitterStrategy: 'FULL',
    });
    expect(compensate?.Catch?.[0]?.Next).toBe('Dead-letter first compensation');
    expect(States['Dead-letter first compensation']?.Type).toBe('Task');
    expect(States.AllCompensated?.Type).toBe('Choice');
    expect(States.Compensated?.Type).toBe('Fail');
    expect(States.CompensationIncomplete?.Type).toBe('Fail');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ExecutionsFailed' });
  });

  it.each<[string, Partial<SagaProps>, RegExp]>([
    ['no steps', { steps: [] }, /at least one step/],
    [
      'a middle step without compensation',
      {
        steps: [
          {
            name: 'a',
            action: { function: lambda.Function.fromFunctionName(testStack(), 'X', 'x'), operation: 'do' },
          },
          {
            name: 'b',
            action: { function: lambda.Function.fromFunctionName(testStack(), 'Y', 'y'), operation: 'do' },
          },
        ],
      },
      /step a has no compensation/,
    ],
    ['an input name that is no field name', { inputName: 'my order' }, /inputName must be a letter/],
    ['an input name the saga uses itself', { inputName: 'results' }, /not operation, results or failure/],
    [
      'an error both business and transient',
      { businessErrors: ['TransientError'] },
      /cannot be both a business error and a transient one/,
    ],
  ])('fails synth on %s', (_name, overrides, message) => {
    expect(() => build(overrides)).toThrow(message);
  });

  it('hands every step the saga input under inputName, "input" unless told', () => {
    const text = (template: Template) => JSON.stringify(definition(template));
    const plain = text(build().template);
    expect(plain).toContain('"input.$":"$.input"');
    expect(plain).not.toContain('order');
    const named = text(build({ inputName: 'order' }).template);
    expect(named).toContain('"order.$":"$.order"');
    expect(named).toContain('"Parameters":{"order.$":"$","results":{}}');
  });
});
