import type { AssemblyStack } from './cloud-assembly.js';
import type { LocalEnvironment, ResourceOutputs } from './intrinsics.js';
import type { ServiceClass } from './services.js';

/**
 * What every provisioner has while one stack comes up. Anything a service keeps (queue URLs, the Lambda
 * host, REST APIs, …) is its state, reached by class: `ctx.service(SqsService).queueUrl(arn)`.
 */
export interface ProvisionContext {
  /** The local account, region and partition the templates resolve against. */
  readonly env: LocalEnvironment;
  /** The stack being brought up. */
  readonly stack: AssemblyStack;
  /** Where the runtime writes its own files (inline function code). */
  readonly workDir: string;
  /** A service's state (its engine client and what it keeps), by its class. */
  service<S>(state: ServiceClass<S>): S;
}

/**
 * What a provisioner's {@link Provisioner.check} sees: the template as synthesized, before any engine starts
 * or any intrinsic is resolved.
 */
export interface CheckContext {
  /** The local account, region and partition the templates resolve against. */
  readonly env: LocalEnvironment;
  readonly stack: AssemblyStack;
  readonly logicalId: string;
  /** `<stack>/<logicalId> (<Type>)`: the start of every problem the check reports. */
  readonly where: string;
  /**
   * The CloudFormation type of the resource a value names — `{ Ref }` or `{ "Fn::GetAtt" }` of a resource of
   * this stack — or undefined when it names none this check can see (a literal, an import, a parameter).
   */
  typeOf(value: unknown): string | undefined;
}

/** A resource type the runtime brings up, with the properties it applies and those it accepts without effect. */
export interface Provisioner {
  /** Properties that change what the local resource does. */
  readonly applies: readonly string[];
  /** Properties accepted with no local effect, each with the reason (documented in the README). */
  readonly accepts: Readonly<Record<string, string>>;
  /**
   * Problems that stop this resource from running faithfully, found from the template alone so that start-up
   * lists every one of them before it starts anything; each a sentence starting with `ctx.where` and naming
   * the property. `props` are as synthesized: intrinsics unresolved.
   */
  check?(ctx: CheckContext, props: Readonly<Record<string, unknown>>): readonly string[];
  create(ctx: ProvisionContext, logicalId: string, props: Record<string, unknown>): Promise<ResourceOutputs>;
}

/** A template the runtime cannot run faithfully; start-up stops with this message. */
export class UnsupportedResourceError extends Error {
  public override readonly name = 'UnsupportedResourceError';
}

export const NOT_ENFORCED = 'the offline runtime does not enforce IAM, encryption or resource policies';
export const NO_OBSERVABILITY =
  'CloudWatch, X-Ray and log delivery are not emulated; functions log to the terminal';
export const TAGS = 'tags have no local effect';

/** A physical name the way CloudFormation makes one, minus the random suffix, so restarts find the same names. */
export function physicalName(stackName: string, logicalId: string, max = 80, suffix = ''): string {
  const base = `${stackName}-${logicalId}`.replace(/[^A-Za-z0-9_-]/g, '-');
  return `${base.slice(0, max - suffix.length)}${suffix}`;
}

/** Stands for a value a {@link Provisioner.check} cannot know before the resources exist. */
export const UNRESOLVED = '«unresolved»';

/**
 * A template value's text as far as the template alone tells: literals as they are, `Fn::Join` and `Fn::Sub`
 * with each reference replaced by {@link UNRESOLVED}; undefined for a value with no text.
 */
export function staticText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const join = v['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    return (join[1] as unknown[]).map((part) => staticText(part) ?? UNRESOLVED).join(join[0]);
  }
  const sub = v['Fn::Sub'];
  const template = Array.isArray(sub) ? (sub[0] as unknown) : sub;
  if (typeof template === 'string') return template.replace(/\$\{[^}]*\}/g, UNRESOLVED);
  return Object.keys(v).length === 1 ? UNRESOLVED : undefined;
}

export function str(value: unknown): string | undefined {
  return value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value);
}

/** A resource that has no behaviour to emulate offline; it answers `Ref` and `Arn` so others can name it. */
export function accepted(
  reason: string,
  arnOf: (ctx: ProvisionContext, name: string) => string,
): Provisioner {
  return {
    applies: [],
    accepts: { '*': reason },
    // eslint-disable-next-line @typescript-eslint/require-await
    async create(ctx, logicalId) {
      const name = physicalName(ctx.stack.stackName, logicalId, 64);
      return { ref: name, attributes: { Arn: arnOf(ctx, name), KeyId: name, RoleId: name } };
    },
  };
}

export const iamArn = (kind: string) => (ctx: ProvisionContext, name: string) =>
  `arn:${ctx.env.partition}:iam::${ctx.env.accountId}:${kind}/${name}`;
export const regional = (service: string, kind: string) => (ctx: ProvisionContext, name: string) =>
  `arn:${ctx.env.partition}:${service}:${ctx.env.region}:${ctx.env.accountId}:${kind}${name}`;
