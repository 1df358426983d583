import type { AssemblyStack, CfnResource } from '../../core/cloud-assembly.js';

/** A resource that a template value names: `Ref`, `Fn::GetAtt`, a `${…}` of `Fn::Sub`, or through another stack's output. */
export interface ResourceRef {
  /** Stack name of the stack that holds the resource. */
  readonly stack: string;
  readonly logicalId: string;
  /** The attribute for `Fn::GetAtt` (`Arn`, `StreamArn`…); none for `Ref`. */
  readonly attribute?: string;
}

/** Values CloudFormation's pseudo parameters render as, so a definition string can be parsed. */
const PSEUDO: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'region',
  'AWS::AccountId': '000000000000',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'stack',
  'AWS::StackId': 'stack-id',
  'AWS::NoValue': '',
};

/**
 * The stacks of an assembly, indexed so that a value in one template can be followed to the resources it
 * names, across stacks (`Fn::ImportValue` by export name, `Fn::GetStackOutput` by stack and output name).
 */
export class AssemblyIndex {
  private readonly byName = new Map<string, AssemblyStack>();
  private readonly exports = new Map<string, { stack: string; value: unknown }>();

  public constructor(public readonly stacks: readonly AssemblyStack[]) {
    for (const stack of stacks) this.byName.set(stack.stackName, stack);
    for (const stack of stacks) {
      for (const output of Object.values(stack.template.Outputs ?? {})) {
        const name = output.Export?.Name;
        const literal = typeof name === 'string' ? name : this.literal(stack.stackName, name);
        if (literal !== undefined) this.exports.set(literal, { stack: stack.stackName, value: output.Value });
      }
    }
  }

  /** The resource `logicalId` of stack `stack`, if there is one. */
  public resource(stack: string, logicalId: string): CfnResource | undefined {
    return this.byName.get(stack)?.template.Resources[logicalId];
  }

  /** Every resource that `value` (in a template of stack `stack`) names, in the order they appear. */
  public refs(stack: string, value: unknown): ResourceRef[] {
    const found: ResourceRef[] = [];
    this.collect(stack, value, found, 0);
    return found;
  }

  /**
   * `value` rendered as a string, with each resource reference replaced by `placeholder(ref)` and
   * pseudo parameters by a plausible literal; `undefined` when a part cannot be rendered.
   */
  public render(
    stack: string,
    value: unknown,
    placeholder: (refs: ResourceRef[]) => string,
  ): string | undefined {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (!isObject(value)) return undefined;
    const [fn, arg] = single(value) ?? [];
    if (fn === 'Ref' && typeof arg === 'string' && arg in PSEUDO) return PSEUDO[arg];
    if (fn === 'Fn::Join' && Array.isArray(arg) && typeof arg[0] === 'string' && Array.isArray(arg[1])) {
      const parts = (arg[1] as unknown[]).map((part) => this.render(stack, part, placeholder));
      return parts.every((p) => p !== undefined) ? parts.join(arg[0]) : undefined;
    }
    if (fn === 'Fn::Sub') {
      const [template, vars] = subArgs(arg);
      if (typeof template !== 'string') return undefined;
      return template.replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
        if (name in PSEUDO) return PSEUDO[name] ?? '';
        const bound = isObject(vars) ? vars[name] : undefined;
        if (bound !== undefined) return this.render(stack, bound, placeholder) ?? '';
        const refs = this.subRefs(stack, name);
        return refs.length > 0 ? placeholder(refs) : '';
      });
    }
    const refs = this.refs(stack, value);
    return refs.length > 0 ? placeholder(refs) : undefined;
  }

  private literal(stack: string, value: unknown): string | undefined {
    const text = this.render(stack, value, () => '\u0000');
    return text === undefined || text.includes('\u0000') ? undefined : text;
  }

  private collect(stack: string, value: unknown, found: ResourceRef[], depth: number): void {
    if (depth > 8) return; // exports that point at each other
    if (Array.isArray(value)) {
      for (const item of value) this.collect(stack, item, found, depth);
      return;
    }
    if (!isObject(value)) return;
    const entry = single(value);
    if (entry) {
      const [fn, arg] = entry;
      if (fn === 'Ref' && typeof arg === 'string') {
        if (!(arg in PSEUDO) && this.resource(stack, arg)) found.push({ stack, logicalId: arg });
        return;
      }
      if (fn === 'Fn::GetAtt') {
        const [id, attribute] = Array.isArray(arg)
          ? [arg[0], arg[1]]
          : typeof arg === 'string'
            ? arg.split(/\.(.*)/s)
            : [];
        if (typeof id === 'string' && this.resource(stack, id))
          found.push({ stack, logicalId: id, ...(typeof attribute === 'string' ? { attribute } : {}) });
        return;
      }
      if (fn === 'Fn::Sub') {
        const [template, vars] = subArgs(arg);
        if (typeof template === 'string') {
          for (const match of template.matchAll(/\$\{([^}!][^}]*)\}/g)) {
            const name = match[1] ?? '';
            if (isObject(vars) && name in vars) this.collect(stack, vars[name], found, depth);
            else found.push(...this.subRefs(stack, name));
          }
        }
        return;
      }
      if (fn === 'Fn::ImportValue') {
        const name = typeof arg === 'string' ? arg : this.literal(stack, arg);
        const exported = name === undefined ? undefined : this.exports.get(name);
        if (exported) this.collect(exported.stack, exported.value, found, depth + 1);
        return;
      }
      if (fn === 'Fn::GetStackOutput' && isObject(arg)) {
        const { StackName: name, OutputName: output } = arg;
        const other = typeof name === 'string' ? this.byName.get(name) : undefined;
        const out = typeof output === 'string' ? other?.template.Outputs?.[output] : undefined;
        if (other && out) this.collect(other.stackName, out.Value, found, depth + 1);
        return;
      }
    }
    for (const child of Object.values(value)) this.collect(stack, child, found, depth);
  }

  private subRefs(stack: string, name: string): ResourceRef[] {
    const [id, attribute] = name.split(/\.(.*)/s);
    if (!id || !this.resource(stack, id)) return [];
    return [{ stack, logicalId: id, ...(attribute ? { attribute } : {}) }];
  }
}

/** Whether `value` is a plain object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The template and the variables of an `Fn::Sub`, in its string or its list form. */
function subArgs(arg: unknown): [unknown, unknown] {
  return Array.isArray(arg) ? [(arg as unknown[])[0], (arg as unknown[])[1]] : [arg, undefined];
}

function single(value: Record<string, unknown>): [string, unknown] | undefined {
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] !== undefined ? [keys[0], value[keys[0]]] : undefined;
}
