import type { AssemblyStack } from '../../core/cloud-assembly.js';
import { IntrinsicResolver } from '../../core/intrinsics.js';

/**
 * Custom resource types whose work the runtime does itself, from their properties, so that the function
 * of their `ServiceToken` (CDK's Python handlers) is never run.
 */
export const HANDLED_WITHOUT_THEIR_FUNCTION: ReadonlySet<string> = new Set([
  'Custom::S3BucketNotifications',
  'Custom::CDKBucketDeployment',
]);

/** Types that name a function (or its log group) without ever invoking it. */
const NEVER_INVOKE = /^(AWS::IAM::|AWS::Lambda::Permission$|AWS::Logs::LogGroup$|Custom::LogRetention$)/;

/**
 * Whether nothing the runtime runs can invoke a function of the stack: every resource naming it either
 * never invokes a function (IAM, `AWS::Lambda::Permission`, log groups and `logRetention`) or names it as the `ServiceToken` of a
 * custom resource the runtime handles without it ({@link HANDLED_WITHOUT_THEIR_FUNCTION}), and at least
 * one does the latter. Such a function need not be runnable offline (CDK's Python handlers).
 */
export function onlyServesHandledCustomResources(stack: AssemblyStack, functionId: string): boolean {
  let served = false;
  for (const [id, resource] of Object.entries(stack.template.Resources)) {
    if (id === functionId || NEVER_INVOKE.test(resource.Type)) continue;
    const { ServiceToken, ...rest } = resource.Properties ?? {};
    if (IntrinsicResolver.references(rest).has(functionId)) return false;
    if (!IntrinsicResolver.references(ServiceToken).has(functionId)) continue;
    if (!HANDLED_WITHOUT_THEIR_FUNCTION.has(resource.Type)) return false;
    served = true;
  }
  return served;
}
