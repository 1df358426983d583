import { describe, expect, it } from 'vitest';
import {
  decideApply,
  SNAPSHOT_CLOCK_MARGIN_MS,
  type ParsedChange,
  type SinkRow,
} from '../../src/cdc/index.js';

const position = (n: number) => String(n).padStart(40, '0');

/** A parsed change of the kinds a sink meets (the value does not matter to the decision). */
function change(
  kind: 'log' | 'snapshot' | 'tombstone',
  at: { position?: number; tsMs?: number } = {},
): ParsedChange {
  return {
    table: 'customers',
    key: { customerId: 'c-1' },
    value: null,
    tombstone: kind === 'tombstone',
    snapshot: kind === 'snapshot',
    ...(at.position === undefined ? {} : { position: position(at.position) }),
    ...(at.tsMs === undefined ? {} : { sourceTsMs: at.tsMs }),
  };
}

const logRow = (n: number): SinkRow => ({ origin: 'log', position: position(n) });
const snapshotRow = (readAtMs: number): SinkRow => ({ origin: 'snapshot', readAtMs });

describe('decideApply', () => {
  it.each<[string, SinkRow | undefined, ParsedChange, 'apply' | 'skip']>([
    ['a tombstone, whatever the row', logRow(1), change('tombstone'), 'skip'],
    ['a tombstone with no row', undefined, change('tombstone'), 'skip'],
    ['a log change where there is no row', undefined, change('log', { position: 5 }), 'apply'],
    ['a log change past the log row', logRow(4), change('log', { position: 5 }), 'apply'],
    ['a duplicate of the log row', logRow(5), change('log', { position: 5 }), 'skip'],
    ['a replayed older log change', logRow(6), change('log', { position: 5 }), 'skip'],
    ['a log change without position (foreign connector)', logRow(6), change('log'), 'apply'],
    [
      'a log change over a log row without position',
      { origin: 'log' },
      change('log', { position: 1 }),
      'apply',
    ],
    ['a log change after the snapshot read', snapshotRow(10_000), change('log', { tsMs: 10_500 }), 'apply'],
    [
      'a log change just inside the clock margin before the read',
      snapshotRow(10_000),
      change('log', { tsMs: 10_000 - SNAPSHOT_CLOCK_MARGIN_MS }),
      'apply',
    ],
    [
      'a log change older than the read by more than the margin',
      snapshotRow(10_000),
      change('log', { tsMs: 10_000 - SNAPSHOT_CLOCK_MARGIN_MS - 1 }),
      'skip',
    ],
    [
      'a log change over a snapshot row without read time',
      { origin: 'snapshot' },
      change('log', { tsMs: 1 }),
      'apply',
    ],
    ['a snapshot row where there is no row', undefined, change('snapshot', { tsMs: 10_000 }), 'apply'],
    [
      'a snapshot row over another snapshot row',
      snapshotRow(9_000),
      change('snapshot', { tsMs: 10_000 }),
      'apply',
    ],
    [
      'a snapshot row over a log row (or a deleted one)',
      logRow(1),
      change('snapshot', { tsMs: 10_000 }),
      'skip',
    ],
  ])('%s: %s', (_, row, parsed, expected) => {
    // GIVEN the row a sink holds and a change for its key
    // WHEN the sink decides
    const decision = decideApply(row, parsed);

    // THEN
    expect(decision).toBe(expected);
  });
});
