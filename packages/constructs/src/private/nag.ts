import type { Stack } from 'aws-cdk-lib';

/**
 * How cdk-nag names a resource ARN in a finding (`<LogicalId.Arn>` for an attribute of a resource of the
 * stack, the text itself for a literal), so a construct can acknowledge exactly that finding; undefined
 * when the ARN is some other expression (an import from another stack), whose finding the caller
 * acknowledges.
 */
export function nagResource(stack: Stack, arn: string): string | undefined {
  const resolved: unknown = stack.resolve(arn);
  if (typeof resolved === 'string') return resolved;
  if (typeof resolved === 'object' && resolved !== null && 'Fn::GetAtt' in resolved) {
    const getAtt = resolved['Fn::GetAtt'];
    if (Array.isArray(getAtt) && getAtt.length === 2) return `<${String(getAtt[0])}.${String(getAtt[1])}>`;
  }
  return undefined;
}
