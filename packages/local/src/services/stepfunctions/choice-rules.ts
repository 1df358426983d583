/**
 * aws-local-stepfunctions evaluates `"IsPresent": false` as never true (it answers `IsPresent && present`).
 * ASL says the rule holds when the variable is absent, so every such rule is rewritten, before the
 * definition reaches the engine, as `{"Not": {"Variable": …, "IsPresent": true}}`, which it evaluates
 * right. Choice rules at any depth (`And`, `Or`, `Not`) and the states of `Parallel` branches and `Map`
 * processors are covered.
 */
export function withAbsentRulesNegated<T>(definition: T): T {
  return rewriteMachine(definition) as T;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function rewriteMachine(machine: unknown): unknown {
  if (!isObject(machine) || !isObject(machine.States)) return machine;
  const states = Object.fromEntries(
    Object.entries(machine.States).map(([name, state]) => [name, rewriteState(state)]),
  );
  return { ...machine, States: states };
}

function rewriteState(state: unknown): unknown {
  if (!isObject(state)) return state;
  const out: Json = { ...state };
  if (Array.isArray(state.Choices)) out.Choices = state.Choices.map(rewriteRule);
  if (Array.isArray(state.Branches)) out.Branches = state.Branches.map(rewriteMachine);
  if (isObject(state.ItemProcessor)) out.ItemProcessor = rewriteMachine(state.ItemProcessor);
  if (isObject(state.Iterator)) out.Iterator = rewriteMachine(state.Iterator);
  return out;
}

function rewriteRule(rule: unknown): unknown {
  if (!isObject(rule)) return rule;
  if (rule.IsPresent === false && typeof rule.Variable === 'string') {
    const rest: Json = { ...rule };
    delete rest.Variable;
    delete rest.IsPresent;
    return { ...rest, Not: { Variable: rule.Variable, IsPresent: true } };
  }
  const out: Json = { ...rule };
  if (Array.isArray(rule.And)) out.And = rule.And.map(rewriteRule);
  if (Array.isArray(rule.Or)) out.Or = rule.Or.map(rewriteRule);
  if (isObject(rule.Not)) out.Not = rewriteRule(rule.Not);
  return out;
}
