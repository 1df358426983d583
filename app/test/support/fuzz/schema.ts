import fc from 'fast-check';
import { isObject, type Json, type JsonObject, type JsonPath } from './json';

// The request models of the gateway: values generated from a model, and the places of a value it constrains.

/** A JSON Schema (draft-04) as the gateway models carry it: the subset the generated models use. */
export interface JsonSchema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly enum?: readonly Json[];
  readonly pattern?: string;
  readonly format?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
}

/** Values that satisfy `schema`. */
export function valuesOf(schema: JsonSchema): fc.Arbitrary<Json> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'string':
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
      return fc.string({
        minLength: schema.minLength ?? 0,
        maxLength: Math.max(schema.minLength ?? 0, Math.min(schema.maxLength ?? 24, 24)),
      });
    case 'integer':
      return fc
        .bigInt({
          min: BigInt(Math.ceil(schema.minimum ?? -1e12)),
          max: BigInt(Math.floor(schema.maximum ?? 1e12)),
        })
        .map(Number);
    case 'number':
      return fc.double({
        min: schema.minimum ?? -1e12,
        max: schema.maximum ?? 1e12,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const min = schema.minItems ?? 0;
      return fc.array(valuesOf(schema.items ?? {}), {
        minLength: min,
        maxLength: Math.max(min, Math.min(schema.maxItems ?? 3, 3)),
      });
    }
    case 'object': {
      const properties = schema.properties ?? {};
      const known = fc.record(
        Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, valuesOf(s)])),
        { requiredKeys: [...(schema.required ?? [])] },
      ) as fc.Arbitrary<JsonObject>;
      if (schema.additionalProperties === false) return known;
      const extra = fc.dictionary(
        fc.string({ maxLength: 8 }).filter((k) => !(k in properties) && k !== '__proto__'),
        fc.jsonValue({ maxDepth: 1, depthSize: 'xsmall' }) as fc.Arbitrary<Json>,
        { maxKeys: 3 },
      );
      return fc.tuple(extra, known).map(([e, k]) => ({ ...e, ...k }));
    }
    default:
      return fc.jsonValue({ maxDepth: 2, depthSize: 'xsmall' }) as fc.Arbitrary<Json>;
  }
}

interface Site {
  readonly path: JsonPath;
  readonly schema: JsonSchema;
  readonly value: Json;
}

/** Every place of `v` that its schema constrains. */
export function sitesOf(v: Json, schema: JsonSchema, path: JsonPath = []): Site[] {
  const out: Site[] = [{ path, schema, value: v }];
  if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      const s = schema.properties?.[k];
      if (s) out.push(...sitesOf(x, s, [...path, k]));
    }
  } else if (Array.isArray(v) && schema.items) {
    const items = schema.items;
    v.forEach((x, i) => out.push(...sitesOf(x, items, [...path, i])));
  }
  return out.filter((s) => s.schema.type !== undefined || s.schema.enum !== undefined);
}
