/**
 * The IAM policy a Lambda authorizer returns, evaluated against the ARN of the method a request is for.
 * The authorize stage evaluates it on every request, also when the authorizer's result came from its cache.
 */

/** A policy statement as an authorizer returns it. */
interface Statement {
  Effect?: unknown;
  Action?: unknown;
  Resource?: unknown;
}

/**
 * Evaluates an authorizer's policy against a method ARN as API Gateway does: an explicit `Deny` wins,
 * otherwise an `Allow` is needed. `*` matches any run of characters and `?` one character.
 * Returns undefined when the policy is unusable (an authorizer configuration error).
 */
export function evaluatePolicy(
  policy: unknown,
  methodArn: string,
): 'allow' | 'explicit-deny' | 'implicit-deny' | undefined {
  if (policy === null || typeof policy !== 'object') return undefined;
  const raw = (policy as { Statement?: unknown }).Statement;
  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  if (list.some((s) => s === null || typeof s !== 'object')) return undefined;
  const statements = list as Statement[];
  const applies = (s: Statement) =>
    [s.Action]
      .flat()
      .some((a) => typeof a === 'string' && (a === '*' || wildcard(a, 'execute-api:Invoke'))) &&
    [s.Resource].flat().some((r) => typeof r === 'string' && wildcard(r, methodArn));
  if (statements.some((s) => s.Effect === 'Deny' && applies(s))) return 'explicit-deny';
  if (statements.some((s) => s.Effect === 'Allow' && applies(s))) return 'allow';
  return 'implicit-deny';
}

function wildcard(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(value);
}
