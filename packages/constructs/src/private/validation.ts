import { Duration, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Thrown at synth when a construct is given props that cannot deploy or would lose messages. */
export class PropsValidationError extends Error {
  public override readonly name = 'PropsValidationError';
}

/**
 * Collects every problem with a construct's props, then fails synth once with all of them,
 * so a user fixes their stack in one pass rather than one error per run.
 */
export class PropsValidator {
  private readonly problems: string[] = [];

  constructor(
    private readonly construct: string,
    private readonly scope: IConstruct,
  ) {}

  /** Records `message` unless `ok`. */
  public require(ok: boolean, message: string): void {
    if (!ok) this.problems.push(message);
  }

  /** Checks an optional whole number lies in `[min, max]`; unresolved tokens are skipped. */
  public integerInRange(name: string, value: number | undefined, min: number, max: number): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    this.require(
      Number.isInteger(value) && value >= min && value <= max,
      `${name} must be a whole number from ${min} to ${max}; received ${value}.`,
    );
  }

  /** Checks an optional duration lies in `[min, max]`; unresolved tokens are skipped. */
  public durationInRange(name: string, value: Duration | undefined, min: Duration, max: Duration): void {
    if (value === undefined || value.isUnresolved()) return;
    const seconds = value.toSeconds();
    this.require(
      seconds >= min.toSeconds() && seconds <= max.toSeconds(),
      `${name} must be from ${min.toHumanString()} to ${max.toHumanString()}; received ${value.toHumanString()}.`,
    );
  }

  /** Throws one error listing every recorded problem, if there are any. */
  public throwIfInvalid(): void {
    if (this.problems.length === 0) return;
    const list = this.problems.map((p) => `  - ${p}`).join('\n');
    throw new PropsValidationError(`Invalid ${this.construct} props at ${this.scope.node.path}:\n${list}`);
  }
}

/** True when both values are concrete, so a comparison between them means something at synth. */
export function resolved(...values: (Duration | number | string | undefined)[]): boolean {
  return values.every((v) => {
    if (v === undefined) return false;
    if (v instanceof Duration) return !v.isUnresolved();
    return !Token.isUnresolved(v);
  });
}
