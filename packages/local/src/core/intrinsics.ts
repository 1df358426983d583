import type { CfnTemplate } from './cloud-assembly.js';

/** What a provisioned resource answers to `Ref` and `Fn::GetAtt`. */
export interface ResourceOutputs {
  readonly ref: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** The pseudo parameters of the local "account". */
export interface LocalEnvironment {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly urlSuffix: string;
}

/** A template value the runtime cannot resolve; the message names where it sits. */
export class ResolutionError extends Error {
  public override readonly name = 'ResolutionError';
}

/** A template value as text: strings as they are, numbers and booleans printed, anything else as JSON. */
export function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value === undefined ? '' : JSON.stringify(value);
}

/** The marker CloudFormation uses for "leave this property out" (`Ref: AWS::NoValue`). */
const NO_VALUE = Symbol('AWS::NoValue');

/**
 * Resolves CloudFormation intrinsic functions of one stack against the resources provisioned so far:
 * `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split`, `Fn::If`, `Fn::Equals`, `Fn::And`,
 * `Fn::Or`, `Fn::Not`, `Fn::ImportValue`, `Fn::GetStackOutput`, `Fn::Base64`, `Fn::GetAZs`, `Condition`, parameters' defaults.
 */
export class IntrinsicResolver {
  private readonly conditions = new Map<string, boolean>();

  constructor(
    private readonly stackName: string,
    private readonly template: CfnTemplate,
    private readonly env: LocalEnvironment,
    private readonly outputs: ReadonlyMap<string, ResourceOutputs>,
    private readonly exports: ReadonlyMap<string, string>,
    /** Outputs of the stacks provisioned before this one, by stack name then output name. */
    private readonly stackOutputs: ReadonlyMap<string, ReadonlyMap<string, string>> = new Map(),
  ) {}

  /** Resolves `value` fully; `where` names its place in the template for error messages. */
  public resolve(value: unknown, where: string): unknown {
    const resolved = this.walk(value, where);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  /** Resolves `value` to a string, or fails naming the place. */
  public resolveString(value: unknown, where: string): string {
    const resolved = this.resolve(value, where);
    if (typeof resolved === 'string') return resolved;
    if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
    throw new ResolutionError(`${where}: expected a string, got ${JSON.stringify(resolved)}`);
  }

  /** Whether a named condition holds. */
  public condition(name: string): boolean {
    const cached = this.conditions.get(name);
    if (cached !== undefined) return cached;
    const definition = this.template.Conditions?.[name];
    if (definition === undefined)
      throw new ResolutionError(`${this.stackName}: condition ${name} is not defined`);
    const result = this.walk(definition, `Conditions.${name}`);
    if (typeof result !== 'boolean')
      throw new ResolutionError(`${this.stackName}: condition ${name} is not a boolean`);
    this.conditions.set(name, result);
    return result;
  }

  /** The logical ids that `value` refers to through `Ref`, `Fn::GetAtt` and `Fn::Sub`. */
  public static references(value: unknown): Set<string> {
    const found = new Set<string>();
    const visit = (v: unknown): void => {
      if (Array.isArray(v)) {
        v.forEach(visit);
        return;
      }
      if (v === null || typeof v !== 'object') return;
      const o = v as Record<string, unknown>;
      if (typeof o.Ref === 'string') found.add(o.Ref);
      const getAtt = o['Fn::GetAtt'];
      if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') found.add(getAtt[0]);
      if (typeof getAtt === 'string') found.add(getAtt.split('.')[0] ?? '');
      const sub = o['Fn::Sub'];
      const text =
        typeof sub === 'string' ? sub : Array.isArray(sub) && typeof sub[0] === 'string' ? sub[0] : undefined;
      if (text)
        for (const m of text.matchAll(/\$\{([^}!][^}]*)\}/g)) found.add((m[1] ?? '').split('.')[0] ?? '');
      Object.values(o).forEach(visit);
    };
    visit(value);
    return found;
  }

  private walk(value: unknown, where: string): unknown {
    if (Array.isArray(value)) {
      return value.map((v, i) => this.walk(v, `${where}[${i}]`)).filter((v) => v !== NO_VALUE);
    }
    if (value === null || typeof value !== 'object') return value;
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      const key = keys[0] ?? '';
      const arg = o[key];
      switch (key) {
        case 'Ref':
          return this.ref(String(arg), where);
        case 'Fn::GetAtt':
          return this.getAtt(arg, where);
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, unknown[]];
          const resolved = this.walk(parts, where) as unknown[];
          return resolved.map((p) => this.scalar(p, where)).join(sep);
        }
        case 'Fn::Sub':
          return this.sub(arg, where);
        case 'Fn::Select': {
          const [index, list] = arg as [unknown, unknown];
          const items = this.walk(list, where);
          const i = Number(this.walk(index, where));
          if (!Array.isArray(items) || i < 0 || i >= items.length) {
            throw new ResolutionError(`${where}: Fn::Select index ${i} is out of range`);
          }
          return items[i];
        }
        case 'Fn::Split': {
          const [sep, source] = arg as [string, unknown];
          return this.scalar(this.walk(source, where), where).split(sep);
        }
        case 'Fn::If': {
          const [name, whenTrue, whenFalse] = arg as [string, unknown, unknown];
          return this.condition(name) ? this.walk(whenTrue, where) : this.walk(whenFalse, where);
        }
        case 'Fn::Equals': {
          const [a, b] = arg as [unknown, unknown];
          return JSON.stringify(this.walk(a, where)) === JSON.stringify(this.walk(b, where));
        }
        case 'Fn::And':
          return (arg as unknown[]).every((c) => this.walk(c, where) === true);
        case 'Fn::Or':
          return (arg as unknown[]).some((c) => this.walk(c, where) === true);
        case 'Fn::Not':
          return this.walk((arg as unknown[])[0], where) !== true;
        case 'Condition':
          return this.condition(String(arg));
        case 'Fn::ImportValue': {
          const name = this.scalar(this.walk(arg, where), where);
          const exported = this.exports.get(name);
          if (exported === undefined) throw new ResolutionError(`${where}: no stack exports "${name}"`);
          return exported;
        }
        case 'Fn::GetStackOutput': {
          const { StackName, OutputName } = this.walk(arg, where) as {
            StackName: string;
            OutputName: string;
          };
          const value = this.stackOutputs.get(StackName)?.get(OutputName);
          if (value === undefined)
            throw new ResolutionError(`${where}: stack ${StackName} has no output ${OutputName}`);
          return value;
        }
        case 'Fn::Base64':
          return Buffer.from(this.scalar(this.walk(arg, where), where)).toString('base64');
        case 'Fn::GetAZs':
          return ['a', 'b', 'c'].map((z) => `${this.env.region}${z}`);
        default:
          if (key.startsWith('Fn::'))
            throw new ResolutionError(`${where}: ${key} is not supported by the offline runtime`);
      }
    }
    const result: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
      const resolved = this.walk(v, `${where}.${k}`);
      if (resolved !== NO_VALUE) result[k] = resolved;
    }
    return result;
  }

  private scalar(value: unknown, where: string): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new ResolutionError(`${where}: expected a string, got ${JSON.stringify(value)}`);
  }

  private ref(name: string, where: string): unknown {
    switch (name) {
      case 'AWS::AccountId':
        return this.env.accountId;
      case 'AWS::Region':
        return this.env.region;
      case 'AWS::Partition':
        return this.env.partition;
      case 'AWS::URLSuffix':
        return this.env.urlSuffix;
      case 'AWS::StackName':
        return this.stackName;
      case 'AWS::StackId':
        return `arn:${this.env.partition}:cloudformation:${this.env.region}:${this.env.accountId}:stack/${this.stackName}/local`;
      case 'AWS::NoValue':
        return NO_VALUE;
      case 'AWS::NotificationARNs':
        return [];
    }
    const parameter = this.template.Parameters?.[name];
    if (parameter) {
      if (parameter.Default === undefined) {
        throw new ResolutionError(
          `${where}: parameter ${name} has no default, and the offline runtime takes no parameters`,
        );
      }
      return parameter.Type.startsWith('List<') || parameter.Type === 'CommaDelimitedList'
        ? asText(parameter.Default).split(',')
        : parameter.Default;
    }
    const outputs = this.outputs.get(name);
    if (!outputs)
      throw new ResolutionError(`${where}: Ref ${name} names no provisioned resource or parameter`);
    return outputs.ref;
  }

  private getAtt(arg: unknown, where: string): string {
    const [id, attribute] = typeof arg === 'string' ? arg.split(/\.(.*)/s) : (arg as [string, unknown]);
    const name = typeof attribute === 'string' ? attribute : this.scalar(this.walk(attribute, where), where);
    const outputs = this.outputs.get(id);
    if (!outputs)
      throw new ResolutionError(`${where}: Fn::GetAtt ${id}.${name} names no provisioned resource`);
    const value = outputs.attributes[name];
    if (value === undefined) {
      throw new ResolutionError(
        `${where}: the offline runtime does not provide ${id}.${name} (it provides ${Object.keys(outputs.attributes).join(', ') || 'no attributes'})`,
      );
    }
    return value;
  }

  private sub(arg: unknown, where: string): string {
    const [text, variables] =
      typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, unknown>]);
    const vars = Object.fromEntries(
      Object.entries(variables).map(([k, v]) => [k, this.scalar(this.walk(v, where), where)]),
    );
    return text.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
      if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
      if (inner in vars) return vars[inner] ?? '';
      if (inner.includes('.')) return this.getAtt(inner, where);
      const value = this.ref(inner, where);
      if (value === NO_VALUE) return '';
      return this.scalar(value, `${where} (${whole})`);
    });
  }
}
