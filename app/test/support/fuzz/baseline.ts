import fc from 'fast-check';
import { BODY_MUTATIONS, EDGE_VALUES, mutatedBody } from './bodies';
import { isObject, jsonText } from './json';
import type { BodyPart, FuzzContext, Parts } from './parts';
import {
  JSON_MEDIA_TYPES,
  OTHER_MEDIA_TYPES,
  PATH_VALUES,
  QUERY_VALUES,
  UNACCEPTABLE_HEADERS,
} from './request-values';
import { normalParts } from './requests';
import { GATEWAY_BODY_LIMIT, type FuzzRoute } from './routes';
import { valuesOf } from './schema';

// The baseline: fixed cases that do not depend on the seed, so that every run covers each listed value.

/** Baseline value for each mutation kind's choice, so the baseline hits the cases the contract names. */
const BASELINE_CHOICE: Readonly<Record<string, number>> = { 'wrong-type': 1, 'deep-nesting': 2 };

/**
 * The cases every route gets whatever the seed: each adversarial value of `request-values.ts` in an otherwise
 * normal request (path parameters, the route's query parameters, media types, credentials, Idempotency-Key,
 * an oversize header, unknown methods, and each body mutation of a valid body).
 */
export function baselineParts(route: FuzzRoute, ctx: FuzzContext, seed: number): Parts[] {
  // The shortest of a few valid values, so that a baseline case differs from it in its mutation only.
  const valid = route.model
    ? fc
        .sample(valuesOf(route.model), { numRuns: 20, seed })
        .reduce((a, b) => (jsonText(b).length < jsonText(a).length ? b : a))
    : undefined;
  // An `id` names a message for its consumer's idempotency: each baseline body gets its own, so that
  // none is taken for a repeat of another.
  const id = isObject(valid) && typeof valid.id === 'string' ? JSON.stringify(valid.id) : undefined;
  const ownId = (body: BodyPart, i: number): BodyPart =>
    id === undefined || typeof body.value !== 'string'
      ? body
      : { ...body, value: body.value.replace(`"id":${id}`, () => `"id":${id.slice(0, -1)}~${i}"`) };
  const normal = normalParts(
    route,
    ctx,
    valid === undefined ? { value: undefined } : { value: jsonText(valid) },
  );
  const out: Parts[] = [];
  const param = route.segments.findIndex((s) => s.startsWith('{'));
  if (param >= 0) {
    // Every fixture (a failed order shows its failure), then each adversarial value.
    const name = route.segments[param]?.slice(1, -1) ?? '';
    for (const value of (ctx.fixtures[name] ?? []).slice(1)) {
      out.push({ ...normal, segments: normal.segments.map((s, i) => (i === param ? { value } : s)) });
    }
    for (const value of PATH_VALUES) {
      const segments = normal.segments.map((s, i) =>
        i === param ? { value, tag: `path:${value.slice(0, 12)}` } : s,
      );
      out.push({ ...normal, segments });
    }
  }
  const known = ctx.knownQuery[route.key] ?? [];
  const queries =
    known.length > 0
      ? known.flatMap((k) => [...QUERY_VALUES.map((v) => `${k}=${v}`), `${k}=1&${k}=yesterday`])
      : ['asOf=1e309', `x=${'x'.repeat(5_000)}`, '%zz=%zz'];
  for (const value of queries) out.push({ ...normal, query: { value, tag: `query:${value.slice(0, 30)}` } });
  if (route.model) {
    for (const value of [...JSON_MEDIA_TYPES, undefined, ...OTHER_MEDIA_TYPES]) {
      out.push({ ...normal, contentType: { value, tag: `content-type:${value ?? 'none'}` } });
    }
  }
  for (const auth of ['bearer x', 'empty', 'garbage', 'none', 'no-scheme', 'expired', 'lacks-scope']) {
    out.push({ ...normal, auth });
  }
  out.push({ ...normal, key: 'none' });
  if (route.method !== 'GET') {
    for (const value of ['', 'x'.repeat(129), '\u00e9']) {
      out.push({
        ...normal,
        idempotencyKey: { value, tag: `idempotency-key:${JSON.stringify(value).slice(0, 12)}` },
      });
    }
  }
  for (const headers of UNACCEPTABLE_HEADERS) out.push({ ...normal, headers });
  for (const value of ['FOO', 'PROPFIND']) out.push({ ...normal, method: { value, tag: `method:${value}` } });
  // A HEAD that the parser refuses: its answer has no body.
  out.push({
    ...normal,
    method: { value: 'HEAD', tag: 'method:HEAD' },
    headers: UNACCEPTABLE_HEADERS[0] ?? normal.headers,
  });
  if (route.model && valid !== undefined) {
    const edges = EDGE_VALUES.map((_, n) => ['edge-value', n] as const).slice(1);
    for (const [kind, n] of [...BODY_MUTATIONS.map((k) => [k, BASELINE_CHOICE[k] ?? 0] as const), ...edges]) {
      const body = mutatedBody(kind, route.model, valid, n, route.bodyLimit ?? GATEWAY_BODY_LIMIT);
      // Each edge value only where the model lets it in; on a closed model one refusal is enough.
      if (!body || (kind === 'edge-value' && n > 0 && body.refuse)) continue;
      out.push({
        ...normal,
        body: ownId(body, out.length),
        contentType: body.value === undefined ? { value: undefined } : normal.contentType,
      });
    }
  }
  return out;
}
