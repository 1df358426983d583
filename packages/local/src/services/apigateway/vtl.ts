import { JSONPath } from 'jsonpath-plus';
import { render } from 'velocityjs';

/** What a mapping template can see of a request or a backend response. */
export interface TemplateInput {
  /** The raw body. */
  readonly body: string;
  readonly params: {
    path: Record<string, string>;
    querystring: Record<string, string>;
    header: Record<string, string>;
  };
  /** `$context`: request id, identity, authorizer, stage, …; `responseOverride` may be set by the template. */
  readonly context: Record<string, unknown> & {
    responseOverride: { status?: number; header: Record<string, string> };
  };
  readonly stageVariables?: Record<string, string>;
}

function query(body: string, path: string): unknown {
  let json: unknown;
  try {
    json = body === '' ? {} : (JSON.parse(body) as unknown);
  } catch {
    return undefined;
  }
  if (path === '$') return json;
  return JSONPath({ path, json: json as object, wrap: false });
}

/** `$util` as API Gateway defines it. */
const util = {
  escapeJavaScript: (s: unknown) => JSON.stringify(String(s)).slice(1, -1).replace(/'/g, "\\'"),
  parseJson: (s: unknown) => JSON.parse(String(s)) as unknown,
  urlEncode: (s: unknown) => encodeURIComponent(String(s)).replace(/%20/g, '+'),
  urlDecode: (s: unknown) => decodeURIComponent(String(s).replace(/\+/g, ' ')),
  base64Encode: (s: unknown) => Buffer.from(String(s)).toString('base64'),
  base64Decode: (s: unknown) => Buffer.from(String(s), 'base64').toString(),
};

/** Java `String` methods templates call that JavaScript strings lack or spell differently. */
const javaStringMethods = [
  {
    uid: 'length',
    match: (p: Call) => p.property === 'length' && typeof p.context === 'string',
    resolve: (p: Call) => (p.context as string).length,
  },
  {
    uid: 'equals',
    match: (p: Call) => p.property === 'equals',
    resolve: (p: Call) => String(p.context) === String(p.params[0]),
  },
  {
    uid: 'toString',
    match: (p: Call) => p.property === 'toString',
    resolve: (p: Call) => (typeof p.context === 'string' ? p.context : JSON.stringify(p.context)),
  },
  {
    uid: 'contains',
    match: (p: Call) => p.property === 'contains' && typeof p.context === 'string',
    resolve: (p: Call) => (p.context as string).includes(String(p.params[0])),
  },
  {
    uid: 'isEmpty',
    match: (p: Call) => p.property === 'isEmpty' && typeof p.context === 'string',
    resolve: (p: Call) => p.context === '',
  },
];

interface Call {
  property: string;
  context: unknown;
  params: unknown[];
}

/**
 * `#set($context.responseOverride.header.Access-Control-Allow-Origin = …)` (CDK's CORS template) names a header
 * with hyphens, which VTL reads as a dotted name; API Gateway takes the whole name, as the bracket form does.
 */
function bracketHyphenatedHeaders(template: string): string {
  return template.replace(
    /\$(\{?)context\.(responseOverride|requestOverride)\.header\.([A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)+)/g,
    (_all, brace: string, override: string, name: string) => `$${brace}context.${override}.header["${name}"]`,
  );
}

/** A map with the Java methods templates call on `$input.params()` and `$context.authorizer` (`keySet`, `get`, …). */
function javaMap<T extends object>(values: T, caseInsensitive = false): T {
  const map = { ...values };
  const get = (key: string): unknown => {
    const v = values as Record<string, unknown>;
    if (Object.hasOwn(v, key) || !caseInsensitive) return v[key];
    // Header names are case-insensitive: CDK's CORS template asks for `Origin`, a client may send `origin`.
    const found = Object.keys(v).find((k) => k.toLowerCase() === key.toLowerCase());
    return found === undefined ? undefined : v[found];
  };
  const methods = {
    keySet: () => Object.keys(values),
    get,
    containsKey: (key: string) => Object.hasOwn(values, key),
    size: () => Object.keys(values).length,
    isEmpty: () => Object.keys(values).length === 0,
  };
  for (const [name, fn] of Object.entries(methods))
    Object.defineProperty(map, name, { value: fn, enumerable: false });
  return map;
}

/** Renders an API Gateway mapping template (VTL) with `$input`, `$util`, `$context` and `$stageVariables`. */
export function renderTemplate(template: string, input: TemplateInput): string {
  const params = {
    path: javaMap(input.params.path),
    querystring: javaMap(input.params.querystring),
    header: javaMap(input.params.header, true),
  };
  const authorizer = input.context.authorizer;
  // A shallow copy: `responseOverride` stays the caller's object, so `#set($context.responseOverride…)` reaches it.
  const context = {
    ...input.context,
    ...(authorizer && typeof authorizer === 'object' ? { authorizer: javaMap(authorizer) } : {}),
  };
  const $input = {
    body: input.body,
    json: (path: string) => JSON.stringify(query(input.body, path) ?? null),
    path: (path: string) => query(input.body, path),
    params: (name?: string) =>
      name === undefined
        ? params
        : (input.params.path[name] ?? input.params.querystring[name] ?? input.params.header[name] ?? ''),
  };
  const rendered = render(
    bracketHyphenatedHeaders(template),
    { input: $input, util, context, stageVariables: input.stageVariables ?? {} },
    undefined,
    { customMethodHandlers: javaStringMethods },
  );
  return rendered;
}
