// JSON with raw tokens (`1e309` as written, deep nesting), and copies of JSON values with one place changed.

/** JSON text written as is: numbers JSON can write but a double cannot hold, deep nesting. */
export class Raw {
  constructor(public readonly text: string) {}
}
/** A JSON value, possibly with raw parts. */
export type Json = null | boolean | number | string | Raw | Json[] | { [key: string]: Json };
/** A JSON object, possibly with raw parts. */
export type JsonObject = { [key: string]: Json };

/** Whether `v` is a JSON object (neither null, an array nor raw text). */
export const isObject = (v: Json | undefined): v is JsonObject =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Raw);

/** JSON text; strings go through JSON.stringify, which writes a lone surrogate as a `\ud800` escape. */
export function jsonText(v: Json): string {
  if (v instanceof Raw) return v.text;
  if (Array.isArray(v)) return `[${v.map(jsonText).join(',')}]`;
  if (isObject(v)) {
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** A copy of `o` with `key` as an own member (also `__proto__`). */
export function withKey(o: JsonObject, key: string, value: Json): JsonObject {
  const out: JsonObject = {};
  const define = (k: string, v: Json) => {
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  };
  for (const [k, v] of Object.entries(o)) if (k !== key) define(k, v);
  define(key, value);
  return out;
}

/** Where a value sits in a JSON value: member names and array indexes. */
export type JsonPath = readonly (string | number)[];

/** A copy of `v` with the value at `path` replaced by `f` of it; `f` returning undefined removes a member. */
export function updateAt(v: Json, path: JsonPath, f: (old: Json) => Json | undefined): Json {
  const [head, ...rest] = path;
  if (head === undefined) return f(v) ?? null;
  if (Array.isArray(v) && typeof head === 'number') {
    return v.map((x, i) => (i === head ? updateAt(x, rest, f) : x));
  }
  if (isObject(v) && typeof head === 'string') {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) {
      const next = k === head ? (rest.length === 0 ? f(x) : updateAt(x, rest, f)) : x;
      if (next !== undefined) {
        Object.defineProperty(out, k, { value: next, enumerable: true, writable: true, configurable: true });
      }
    }
    return out;
  }
  return v;
}
