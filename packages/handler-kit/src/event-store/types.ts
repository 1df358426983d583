/** Who and what caused an event: carried on every event for tracing a flow across services. */
export interface EventMetadata {
  /** The request or flow all events of one user action share. */
  readonly correlationId: string;
  /** The event or command that directly caused this one. */
  readonly causationId?: string;
  /** The principal (token subject) who acted. */
  readonly actor?: string;
}

/** An event to append: the store gives it its version and id. */
export interface NewEvent {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Readonly<Record<string, unknown>>;
  readonly metadata: EventMetadata;
  /** @default the append time */
  readonly occurredAt?: string;
  /** @default a random UUID */
  readonly eventId?: string;
}

/** An event as stored: position `version` (1-based, gap-free) in stream `streamId`. */
export interface StoredEvent {
  readonly streamId: string;
  readonly version: number;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Readonly<Record<string, unknown>>;
  readonly metadata: EventMetadata;
  readonly occurredAt: string;
}

/**
 * The version an append expects the stream to be at: a number (the stream's last version; 0 for none),
 * `'no-stream'` (the stream must not exist), or `'any'` (append at the end, whatever it is).
 */
export type ExpectedVersion = number | 'no-stream' | 'any';

/** A point in a stream's past: a version, or an instant (ISO-8601). */
export type AsOf = { readonly version: number } | { readonly timestamp: string };

/** How to fold a stream into state; `name` and `revision` key its snapshots. */
export interface Aggregate<S> {
  /** Names the snapshot family. */
  readonly name: string;
  /** Bump when `evolve` changes meaning: snapshots of other revisions are ignored. */
  readonly revision: number;
  readonly initial: S;
  readonly evolve: (state: S, event: StoredEvent) => S;
}

/** Upgrades the data of an event type from one schema version to the next. */
export type Upcaster = (data: Readonly<Record<string, unknown>>) => Record<string, unknown>;

/** Upcasters by event type, then by the schema version they upgrade from. */
export type Upcasters = Readonly<Record<string, Readonly<Record<number, Upcaster>>>>;

/** An append that lost the race: the stream is not at the expected version. Nothing was written. */
export class ConcurrencyError extends Error {
  public override readonly name = 'ConcurrencyError';

  constructor(
    public readonly streamId: string,
    public readonly expected: ExpectedVersion,
  ) {
    super(`stream ${streamId} is not at the expected version ${String(expected)}`);
  }
}
