// zod/mini: the same zod, with a functional API that a bundler can cut to what the schemas use (~30 KiB of a
// handler, full zod ~93 KiB). A namespace import keeps that: the named `z` would keep all of it.
import * as z from 'zod/mini';
import { en } from 'zod/locales';
import { InvalidMessageError } from './errors.js';

// zod/mini loads no locale, so every issue would read "Invalid input". Full zod registers English when it
// loads; the kit does the same when this module loads (every parse of the kit goes through it), once, not
// per parse. A locale the application configured first (`z.config`) is kept.
if (!z.config().localeError) z.config(en());

/** The envelope of every domain event published on the `domain-events` topic. */
export const DomainEvent = z.object({
  eventId: z.uuid(),
  eventType: z.string().check(z.regex(/^[A-Z][A-Za-z]+$/, 'must be PascalCase, e.g. OrderConfirmed')),
  aggregateType: z.string().check(z.minLength(1)),
  aggregateId: z.string().check(z.minLength(1)),
  schemaVersion: z.number().check(z.int(), z.positive()),
  occurredAt: z.iso.datetime({ offset: true }),
  data: z.record(z.string(), z.unknown()),
});
/** A parsed domain event. */
export type DomainEvent = z.infer<typeof DomainEvent>;

/**
 * Parses a JSON string against `schema`, failing with an {@link InvalidMessageError} that names each bad field.
 * Values JSON can write but no consumer can hold (see {@link unrepresentable}) are refused unless `opaque`:
 * for a body that is kept as the text it came as, not read value by value.
 */
export function parseJson<T>(schema: z.core.$ZodType<T>, body: string, what: string, opaque = false): T {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error: unknown) {
    throw new InvalidMessageError(`${what} is not JSON`, [
      error instanceof Error ? error.message : String(error),
    ]);
  }
  const problem = opaque ? undefined : unrepresentable(json);
  if (problem) throw new InvalidMessageError(`${what} holds a value JSON cannot carry`, [problem]);
  return parseValue(schema, json, what);
}

/** Checks a value against `schema`, failing with an {@link InvalidMessageError} that names each bad field. */
export function parseValue<T>(schema: z.core.$ZodType<T>, value: unknown, what: string): T {
  const parsed = z.safeParse(schema, value);
  if (!parsed.success) throw InvalidMessageError.fromZod(what, parsed.error);
  return parsed.data;
}

/** How deep a JSON value may nest: DynamoDB's limit for a document attribute, far beyond any schema here. */
export const MAX_JSON_DEPTH = 32;

/**
 * The first value JSON text can write but no consumer can hold, as `path: problem`: a number beyond the
 * double range (`1e309` parses to Infinity), a lone UTF-16 surrogate (`"\ud800"`) in a value or a name, or
 * nesting deeper than {@link MAX_JSON_DEPTH}. Walks without recursion, so no depth overflows the stack.
 */
export function unrepresentable(value: unknown, root = '(body)'): string | undefined {
  const pending: { value: unknown; path: string; depth: number }[] = [{ value, path: root, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value: v, path, depth } = next;
    if (typeof v === 'number' && !Number.isFinite(v)) return `${path}: number out of range`;
    if (typeof v === 'string' && !v.isWellFormed()) return `${path}: lone UTF-16 surrogate`;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) return `${path}: nested deeper than ${MAX_JSON_DEPTH} levels`;
    for (const [k, child] of Object.entries(v)) {
      if (!k.isWellFormed()) return `${path}: lone UTF-16 surrogate in a member name`;
      pending.push({ value: child, path: path === root ? k : `${path}.${k}`, depth: depth + 1 });
    }
  }
  return undefined;
}
