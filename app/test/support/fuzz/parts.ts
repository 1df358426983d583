// The parts a request is made of: each normal or adversarial, each adversarial part tagged and, where the
// API contract says so, with a reason the request must be refused.

/** Why the API contract says a request must be refused with a 4xx. */
export interface Reason {
  readonly category: string;
  readonly detail: string;
}

/** One part of a request: its value, a tag when it is adversarial, and a reason when it must be refused. */
export interface Part<T> {
  readonly value: T;
  readonly tag?: string;
  readonly refuse?: Reason;
}

/** A body: its bytes (none for no body), as a part. */
export type BodyPart = Part<string | Buffer | undefined>;

/** What the generators need from the running app. */
export interface FuzzContext {
  /** Authorization header values by label; `lacks-scope` is per route. */
  readonly authorization: Readonly<Record<string, string | undefined>>;
  readonly lacksScope: Readonly<Record<string, string>>;
  /** x-api-key values by label (undefined: no header). */
  readonly apiKeys: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Values of existing resources, by path parameter name. */
  readonly fixtures: Readonly<Record<string, readonly string[]>>;
  /** Query parameters the routes read, by route key. */
  readonly knownQuery: Readonly<Record<string, readonly string[]>>;
  /** Every route, to tell another route on the same resource from no route. */
  readonly routeKeys: ReadonlySet<string>;
}

/** The parts a request is made of. */
export interface Parts {
  readonly method: Part<string>;
  readonly segments: readonly Part<string>[];
  /** A dot segment, a trailing or doubled slash, an extra segment. */
  readonly structure: Part<((path: string) => string) | undefined>;
  readonly query: Part<string>;
  readonly auth: string;
  readonly key: string;
  readonly contentType: Part<string | undefined>;
  readonly idempotencyKey: Part<string | string[] | undefined>;
  readonly headers: Part<Readonly<Record<string, string>>>;
  readonly body: BodyPart;
}
