import * as z from 'zod/mini';
import { InvalidMessageError, parseValue } from '@conflux/handler-kit';

/** The order a saga carries from step to step; its `orderId` is the saga id every step is idempotent on. */
export const SagaOrder = z.object({
  orderId: z.uuid(),
  customerId: z.string().check(z.minLength(1)),
  items: z
    .array(
      z.object({ sku: z.string().check(z.minLength(1)), quantity: z.number().check(z.int(), z.minimum(1)) }),
    )
    .check(z.minLength(1)),
  shipTo: z.object({ region: z.string().check(z.minLength(1)), postcode: z.optional(z.string()) }),
});
export type SagaOrder = z.infer<typeof SagaOrder>;

/** A step's input: the operation (action or compensation), the order, and earlier steps' results. */
export const StepInput = z.object({
  operation: z.string(),
  order: SagaOrder,
  results: z.optional(z.record(z.string(), z.unknown())),
});
export type StepInput = z.infer<typeof StepInput>;

/** A step was asked to act for a saga that has already been compensated (a replayed execution). */
export class SagaAlreadyCompensatedError extends Error {
  public override readonly name = 'SagaAlreadyCompensatedError';
}

/** A failure worth retrying (throttling, a lost race with itself); anything else named is a business error. */
export class TransientError extends Error {
  public override readonly name = 'TransientError';
}

/** Builds a step handler: validates the input, then runs the named operation. */
export function sagaStep(operations: Readonly<Record<string, (input: StepInput) => Promise<unknown>>>) {
  return async (event: unknown): Promise<unknown> => {
    const input = parseValue(StepInput, event, 'saga step input');
    const operation = operations[input.operation];
    if (!operation) throw new InvalidMessageError(`unknown operation ${input.operation}`);
    return operation(input);
  };
}

/** Whether a DynamoDB transaction was cancelled by a failed condition on item `index`. */
export function conditionFailedAt(error: unknown, index: number): boolean {
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  return reasons?.[index]?.Code === 'ConditionalCheckFailed';
}
