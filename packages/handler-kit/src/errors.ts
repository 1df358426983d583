import type { $ZodError } from 'zod/v4/core';

/** A record or request whose content breaks its schema. Retrying it cannot help. */
export class InvalidMessageError extends Error {
  public override readonly name = 'InvalidMessageError';

  constructor(
    message: string,
    /** Each problem as `path: message`. */
    public readonly issues: readonly string[] = [],
  ) {
    super(issues.length > 0 ? `${message}: ${issues.join('; ')}` : message);
  }

  /** Wraps a zod failure so logs and DLQ reasons name every bad field. */
  public static fromZod(what: string, error: $ZodError): InvalidMessageError {
    return new InvalidMessageError(
      `${what} is invalid`,
      error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`),
    );
  }
}

/** An event that reached a consumer which has no rule for it (a subscription filter let it through). */
export class UnsupportedEventError extends Error {
  public override readonly name = 'UnsupportedEventError';
}
