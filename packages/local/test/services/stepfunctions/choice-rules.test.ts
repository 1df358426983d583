import { describe, expect, it } from 'vitest';
import '../../../src/services/stepfunctions/polyfill.js';
import { StateMachine } from 'aws-local-stepfunctions';
import { withAbsentRulesNegated } from '../../../src/services/stepfunctions/choice-rules.js';

const choice = (rule: Record<string, unknown>) => ({
  StartAt: 'Choose',
  States: {
    Choose: { Type: 'Choice', Choices: [{ ...rule, Next: 'Absent' }], Default: 'Present' },
    Absent: { Type: 'Pass', Result: 'absent', End: true },
    Present: { Type: 'Pass', Result: 'present', End: true },
  },
});

async function run(definition: unknown, input: unknown): Promise<unknown> {
  const machine = new StateMachine(withAbsentRulesNegated(definition) as never, {
    validationOptions: { checkArn: false },
  });
  return machine.run(input as never).result;
}

describe('Choice rules with "IsPresent": false', () => {
  it('hold when the variable is absent, alone and inside And / Not', async () => {
    // GIVEN rules that test for an absent field, at the top and nested
    const alone = choice({ Variable: '$.stored.Item', IsPresent: false });
    const nested = choice({
      And: [
        { Variable: '$.stored.Item', IsPresent: false },
        { Not: { Variable: '$.from', StringEquals: '1970-01-01T00:00:00.000Z' } },
      ],
    });
    // WHEN inputs with and without the field run
    const results = await Promise.all([
      run(alone, { stored: {} }),
      run(alone, { stored: { Item: { watermark: { S: 'x' } } } }),
      run(nested, { stored: {}, from: '2026-01-01T00:00:00.000Z' }),
      run(nested, { stored: {}, from: '1970-01-01T00:00:00.000Z' }),
      run(nested, { stored: { Item: {} }, from: '2026-01-01T00:00:00.000Z' }),
    ]);
    // THEN they branch as ASL says
    expect(results).toEqual(['absent', 'present', 'absent', 'present', 'present']);
  });

  it('are rewritten inside Parallel branches and Map processors, and other rules are left as they are', () => {
    // GIVEN a definition with the rule in a branch and a processor, and an IsPresent: true rule
    const inner = choice({ Variable: '$.a', IsPresent: false });
    const definition = {
      StartAt: 'P',
      States: {
        P: { Type: 'Parallel', Branches: [inner], Next: 'M' },
        M: { Type: 'Map', ItemProcessor: inner, Next: 'C' },
        C: { ...choice({ Variable: '$.b', IsPresent: true }).States.Choose },
      },
    };
    // WHEN it is rewritten
    const out = withAbsentRulesNegated(definition);
    // THEN the absent rules are negated presence tests, keeping Next; the present one is unchanged
    const negated = [{ Not: { Variable: '$.a', IsPresent: true }, Next: 'Absent' }];
    expect(out.States.P.Branches[0]?.States.Choose.Choices).toEqual(negated);
    expect(out.States.M.ItemProcessor.States.Choose.Choices).toEqual(negated);
    expect(out.States.C.Choices).toEqual([{ Variable: '$.b', IsPresent: true, Next: 'Absent' }]);
    expect(definition.States.P.Branches[0]?.States.Choose.Choices).toEqual([
      { Variable: '$.a', IsPresent: false, Next: 'Absent' },
    ]);
  });
});
