// A namespace import lets esbuild drop the parts of zod (locales, JSON Schema) the handlers never use.
import * as z from 'zod';
import { InvalidMessageError } from './errors';

/** The envelope of every domain event published on the `domain-events` topic. */
export const DomainEvent = z.object({
  eventId: z.uuid(),
  eventType: z.string().regex(/^[A-Z][A-Za-z]+$/, 'must be PascalCase, e.g. OrderConfirmed'),
  aggregateType: z.string().min(1),
  aggregateId: z.string().min(1),
  schemaVersion: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  data: z.record(z.string(), z.unknown()),
});
/** A parsed domain event. */
export type DomainEvent = z.infer<typeof DomainEvent>;

/** Parses a JSON string against `schema`, failing with an {@link InvalidMessageError} that names each bad field. */
export function parseJson<T>(schema: z.ZodType<T>, body: string, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error: unknown) {
    throw new InvalidMessageError(`${what} is not JSON`, [
      error instanceof Error ? error.message : String(error),
    ]);
  }
  const problem = unrepresentable(json);
  if (problem) throw new InvalidMessageError(`${what} holds a value JSON cannot carry`, [problem]);
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw InvalidMessageError.fromZod(what, parsed.error);
  return parsed.data;
}

/**
 * The first value JSON text can write but no consumer can hold, as `path: problem`: a number beyond the
 * double range (`1e309` parses to Infinity) or a lone UTF-16 surrogate (`"\ud800"`), in a value or a name.
 */
export function unrepresentable(value: unknown, path = '(body)'): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${path}: number out of range`;
  if (typeof value === 'string') return value.isWellFormed() ? undefined : `${path}: lone UTF-16 surrogate`;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [k, v] of Object.entries(value)) {
    if (!k.isWellFormed()) return `${path}: lone UTF-16 surrogate in a member name`;
    const found = unrepresentable(v, path === '(body)' ? k : `${path}.${k}`);
    if (found) return found;
  }
  return undefined;
}
