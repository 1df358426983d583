import { LAKE_ZONES, type EtlWindow } from '@conflux/constructs/contracts';

/** The start of the first window, before any watermark is stored. */
export const EPOCH = '1970-01-01T00:00:00.000Z';

/** An instant the ETL cannot place a window on (not ISO 8601, or not a real date). */
export class InvalidInstantError extends Error {
  public override readonly name = 'InvalidInstantError';
}

/** What {@link planWindow} computes a window from. */
export interface PlanWindowInput {
  /** The execution input's `since`: overrides the watermark as the window's start. */
  readonly since?: string;
  /** The execution input's `until`: caps the window's end. */
  readonly until?: string;
  /** The stored watermark (the last loaded window's `to`), or null before the first successful run. */
  readonly watermark: string | null;
  /** When the execution started (`$$.Execution.StartTime`). */
  readonly startedAt: string;
  /** How long a source write may take to become visible: the window ends at most this long before `startedAt`. */
  readonly settleMs: number;
}

function instant(value: string, what: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new InvalidInstantError(`${what} ${JSON.stringify(value)} is not an ISO 8601 instant`);
  }
  return ms;
}

/** `2026-12-02T01:00:00.000Z` → `20261202T010000000Z`: an instant as a key segment (no `:` or `.`). */
export function compactInstant(iso: string): string {
  return new Date(instant(iso, 'instant')).toISOString().replace(/[-:.]/g, '');
}

/**
 * The window of a run, per the ETL contract: `from = since ?? watermark ?? epoch` (exclusive) and
 * `to = min(until ?? ∞, startedAt − settleMs)` (inclusive), both as ISO 8601 UTC with milliseconds.
 *
 * When `to <= from` the window is empty: no row is in it and the steps write nothing. Its `to` is then the
 * stored watermark (the epoch when there is none), capped at `from`, so `AdvanceWatermark`'s condition
 * (`watermark < :to`) can never move the watermark — not even when `since` was set past it by hand.
 */
export function planWindow(input: PlanWindowInput): EtlWindow {
  if (!Number.isFinite(input.settleMs) || input.settleMs < 0) {
    throw new InvalidInstantError(`settleMs ${input.settleMs} must be a finite number of ms ≥ 0`);
  }
  const fromMs =
    input.since !== undefined
      ? instant(input.since, 'since')
      : input.watermark !== null
        ? instant(input.watermark, 'watermark')
        : Date.parse(EPOCH);
  let toMs = instant(input.startedAt, 'startedAt') - input.settleMs;
  if (input.until !== undefined) toMs = Math.min(toMs, instant(input.until, 'until'));
  if (toMs <= fromMs) {
    const stored = input.watermark !== null ? instant(input.watermark, 'watermark') : Date.parse(EPOCH);
    toMs = Math.min(fromMs, stored);
  }
  const from = new Date(fromMs).toISOString();
  const to = new Date(toMs).toISOString();
  return { from, to, id: `${compactInstant(from)}_${compactInstant(to)}` };
}

/** True when no row can fall in the window (`to <= from`). */
export function isEmptyWindow(window: EtlWindow): boolean {
  return Date.parse(window.to) <= Date.parse(window.from);
}

/** True when `changedAt` (ISO 8601) is in the window: `from < changedAt <= to`. */
export function inWindow(window: EtlWindow, changedAt: string): boolean {
  const at = Date.parse(changedAt);
  return at > Date.parse(window.from) && at <= Date.parse(window.to);
}

/** The date partition of a window's objects: the UTC day of its `to`, `yyyy-MM-dd`. */
export function windowDate(window: EtlWindow): string {
  return window.to.slice(0, 10);
}

/** `staging/<pipeline>/<window.id>/<stage>.json.gz`: a step's intermediate object. */
export function stagingKey(pipeline: string, window: EtlWindow, stage: 'extracted' | 'transformed'): string {
  return `${LAKE_ZONES.staging}${pipeline}/${window.id}/${stage}.json.gz`;
}

/** `quarantine/<pipeline>/dt=<yyyy-MM-dd of to>/<window.id>.json.gz`: a window's rejected rows with their reasons. */
export function quarantineKey(pipeline: string, window: EtlWindow): string {
  return `${LAKE_ZONES.quarantine}${pipeline}/dt=${windowDate(window)}/${window.id}.json.gz`;
}

/** `curated/<pipeline>/dt=<yyyy-MM-dd of to>/<window.id>.json.gz`: a window's loaded rows. */
export function curatedKey(pipeline: string, window: EtlWindow): string {
  return `${LAKE_ZONES.curated}${pipeline}/dt=${windowDate(window)}/${window.id}.json.gz`;
}
