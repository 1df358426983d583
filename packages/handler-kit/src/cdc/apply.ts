import type { ParsedChange } from './parse.js';

/**
 * How far a log change's `source.ts_ms` may lie before a snapshot read and still be applied over it: the
 * two clocks (the table log's and the snapshot reader's) are different machines', so a change a little older
 * than the read may not be in it yet.
 */
export const SNAPSHOT_CLOCK_MARGIN_MS = 2000;

/** What a sink stores with each row to decide the next change (see {@link decideApply}). */
export interface SinkRow {
  /** Whether the row was last written by a log change or by a snapshot read. */
  readonly origin: 'log' | 'snapshot';
  /** The position of the log change that wrote the row (origin `log`). */
  readonly position?: string;
  /** When the snapshot read the row (origin `snapshot`), epoch milliseconds. */
  readonly readAtMs?: number;
}

/**
 * Whether a sink applies a change to the row it holds for the change's key, so that duplicates, replays and
 * a snapshot racing the log never move a row backwards:
 * - a tombstone never changes anything (the delete before it did);
 * - a log change applies when there is no row, over a log row of a lower position, and over a snapshot row
 *   unless it happened more than {@link SNAPSHOT_CLOCK_MARGIN_MS} before the read (the read already holds it);
 *   a change without a position (a foreign connector with none) cannot be ordered and applies;
 * - a snapshot row applies only where there is no row or another snapshot's.
 *
 * Sinks keep a deleted row as a tombstone row (`deleted: true`) with its origin and position, so a late
 * snapshot read cannot bring it back.
 */
export function decideApply(row: SinkRow | undefined, change: ParsedChange): 'apply' | 'skip' {
  if (change.tombstone) return 'skip';
  if (change.snapshot) return !row || row.origin === 'snapshot' ? 'apply' : 'skip';
  if (!row) return 'apply';
  if (row.origin === 'snapshot') {
    if (row.readAtMs === undefined || change.sourceTsMs === undefined) return 'apply';
    return change.sourceTsMs >= row.readAtMs - SNAPSHOT_CLOCK_MARGIN_MS ? 'apply' : 'skip';
  }
  if (change.position === undefined || row.position === undefined) return 'apply';
  return change.position > row.position ? 'apply' : 'skip';
}
