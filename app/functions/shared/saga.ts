import * as z from 'zod';
import { InvalidMessageError } from '@conflux/handler-kit';

/** The order a saga carries from step to step; its `orderId` is the saga id every step is idempotent on. */
export const SagaOrder = z.object({
  orderId: z.uuid(),
  customerId: z.string().min(1),
  items: z.array(z.object({ sku: z.string().min(1), quantity: z.number().int().min(1) })).min(1),
  shipTo: z.object({ region: z.string().min(1), postcode: z.string().optional() }),
});
export type SagaOrder = z.infer<typeof SagaOrder>;

/** A step's input: the operation (action or compensation), the order, and earlier steps' results. */
export const StepInput = z.object({
  operation: z.string(),
  order: SagaOrder,
  results: z.record(z.string(), z.unknown()).optional(),
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
    const parsed = StepInput.safeParse(event);
    if (!parsed.success) throw InvalidMessageError.fromZod('saga step input', parsed.error);
    const operation = operations[parsed.data.operation];
    if (!operation) throw new InvalidMessageError(`unknown operation ${parsed.data.operation}`);
    return operation(parsed.data);
  };
}

/** Whether a DynamoDB transaction was cancelled by a failed condition on item `index`. */
export function conditionFailedAt(error: unknown, index: number): boolean {
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  return reasons?.[index]?.Code === 'ConditionalCheckFailed';
}
