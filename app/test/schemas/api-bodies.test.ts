import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { bodySchemaOf, breakingBodyChanges, checkApiBodies } from '../../schemas/api-bodies';

const v = (shape: z.core.$ZodShape) => bodySchemaOf(z.strictObject(shape));
const before = v({ name: z.string(), size: z.enum(['s', 'm', 'l']) });

describe('API body schema changes within a version', () => {
  it.each<[string, ReturnType<typeof v>, RegExp | null]>([
    [
      'an optional property added',
      v({ name: z.string(), size: z.enum(['s', 'm', 'l']), note: z.optional(z.string()) }),
      null,
    ],
    ['an enum value added', v({ name: z.string(), size: z.enum(['s', 'm', 'l', 'xl']) }), null],
    [
      'a required property added',
      v({ name: z.string(), size: z.enum(['s', 'm', 'l']), colour: z.string() }),
      /colour became required/,
    ],
    ['a property removed from a closed schema', v({ name: z.string() }), /size removed from a closed schema/],
    [
      'a type changed',
      v({ name: z.number(), size: z.enum(['s', 'm', 'l']) }),
      /name.\(value\) type changed from "string" to "number"/,
    ],
    [
      'an enum value removed',
      v({ name: z.string(), size: z.enum(['s', 'm']) }),
      /enum values \["l"\] removed/,
    ],
  ])('%s', (_name, after, breaking) => {
    const problems = breakingBodyChanges('POST /v1/things', before, after);
    if (breaking) expect(problems.join('\n')).toMatch(breaking);
    else expect(problems).toEqual([]);
  });

  it('holds the project’s routes to their snapshots, and flags a breaking edit of one', () => {
    const root = path.resolve(import.meta.dirname, '../../schemas');
    expect(checkApiBodies(root)).toEqual([]);
    const copy = mkdtempSync(path.join(tmpdir(), 'api-'));
    cpSync(root, copy, { recursive: true });
    // Pretend the recorded v2 body had an extra accepted property that the code no longer accepts.
    const recorded = bodySchemaOf(
      z.strictObject({ customerId: z.string(), giftWrap: z.optional(z.boolean()) }),
    );
    writeFileSync(path.join(copy, 'api', 'post-v2-orders.json'), JSON.stringify(recorded));
    expect(checkApiBodies(copy).join('\n')).toMatch(
      /POST \/v2\/orders: giftWrap removed from a closed schema/,
    );
  });
});
