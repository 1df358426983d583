/**
 * Bounds every `number` and `integer` of a JSON Schema that has no bound of its own by ±`Number.MAX_VALUE`.
 * JSON text may write `1e309`, which parses to Infinity and still passes `"type": "number"`; with the bound
 * the gateway's validator refuses it before any integration sees it.
 */
export function finiteNumbers<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map((s: unknown) => finiteNumbers(s)) as T;
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    // `enum` and `default` hold values, not schemas.
    out[key] = key === 'enum' || key === 'default' ? value : finiteNumbers(value);
  }
  const types = [out.type].flat();
  if (types.includes('number') || types.includes('integer')) {
    out.maximum ??= Number.MAX_VALUE;
    out.minimum ??= -Number.MAX_VALUE;
  }
  return out as T;
}
