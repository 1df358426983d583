import { changeEvent, keyOf, partitionKeyOf, type CaptureOptions, type ChangeRecord } from './envelope.js';
import { toPlainJson } from './images.js';

/** Where a row stands in a snapshot, as Debezium marks it in `source.snapshot`. */
export type SnapshotPosition = 'first' | 'true' | 'last';

/**
 * The `op: "r"` record of one row read by a snapshot: `before` null, `after` the row, `source.snapshot` its
 * place in the snapshot, `source.sequence` null (a read has no log position), `source.ts_ms` when the row was
 * read (sinks compare it with the log's changes, see `decideApply`). Snapshot events carry no transaction
 * block.
 */
export function snapshotRecord(
  item: Record<string, unknown>,
  marker: SnapshotPosition,
  readAtMs: number,
  options: CaptureOptions & { readonly keyAttributes: readonly string[] },
): ChangeRecord {
  const after = toPlainJson(item) as Record<string, unknown>;
  const key = keyOf(after, options.keyAttributes, 'snapshot row', (m) => new TypeError(m));
  const value = changeEvent(
    { op: 'r', before: null, after, changedAtUs: readAtMs * 1000, snapshot: marker, sequence: null },
    options,
  );
  return { partitionKey: partitionKeyOf(options.table, key), key, value };
}
