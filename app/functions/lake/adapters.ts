import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EtlWindow } from '@conflux/constructs/contracts';
import { CustomerExtractError, inWindow, type CustomerItem } from './domain';

/** Options of {@link scanChangedCustomers}. */
export interface ScanOptions {
  readonly documents: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Parallel scan segments (DynamoDB's `TotalSegments`). */
  readonly segments: number;
  /** Items per page (`Limit`, before the filter). @default DynamoDB's 1 MB pages */
  readonly pageSize?: number;
}

/**
 * The customers changed in a window, `from < updatedAt <= to`: a parallel, strongly consistent scan of the
 * customers table with the window as a filter.
 *
 * ## Why a scan, nightly
 *
 * The table has no index by change time, and the nightly run reads each item once: a scan costs one read
 * of the whole table a night (the filter runs after the read: the capacity is the table's size, not the
 * changes'), in parallel segments, page by page, so the memory held is a page per segment. For a table of
 * customers that is cheap and has one property an index would lose: `ConsistentRead` sees every write
 * acknowledged before the scan reached its item, and the settle time keeps `to` behind the start.
 *
 * A GSI keyed by a change bucket (say `changedDay`, sharded `changedDay#0..n` to avoid a hot partition)
 * with `updatedAt` as its sort key would make the extract a `Query` over the window, reading only the
 * changed items: worth it once the table is large and a night's changes few, or to run the pipeline
 * often. GSIs are eventually consistent (no `ConsistentRead`), so the settle time must then cover the
 * index's propagation lag as well, and each item's write costs the index's write too.
 *
 * Deletes are not seen by a scan: the raw zone's `customer_changes` (CDC) holds them.
 */
export async function* scanChangedCustomers(
  options: ScanOptions,
  window: EtlWindow,
): AsyncGenerator<CustomerItem> {
  const { documents, tableName, segments, pageSize } = options;
  if (!Number.isInteger(segments) || segments < 1) {
    throw new CustomerExtractError(`the scan needs at least 1 segment; received ${segments}`);
  }
  if (window.to <= window.from) return;
  const scanPage = async (segment: number, start: Record<string, unknown> | undefined) => {
    const page = await documents.send(
      new ScanCommand({
        TableName: tableName,
        ConsistentRead: true,
        Segment: segment,
        TotalSegments: segments,
        FilterExpression: 'updatedAt > :from AND updatedAt <= :to',
        ExpressionAttributeValues: { ':from': window.from, ':to': window.to },
        ...(start ? { ExclusiveStartKey: start } : {}),
        ...(pageSize ? { Limit: pageSize } : {}),
      }),
    );
    return { segment, items: page.Items ?? [], next: page.LastEvaluatedKey };
  };
  // Every unfinished segment reads its next page at once; their items are handed on as pages arrive.
  let cursors: Array<{ segment: number; start?: Record<string, unknown> }> = Array.from(
    { length: segments },
    (_, segment) => ({ segment }),
  );
  while (cursors.length > 0) {
    const pages = await Promise.all(cursors.map((c) => scanPage(c.segment, c.start)));
    for (const page of pages) {
      // The filter already applied the window; this keeps an item with a malformed updatedAt out.
      for (const item of page.items) if (inWindow(item, window)) yield item;
    }
    cursors = pages.filter((p) => p.next !== undefined).map((p) => ({ segment: p.segment, start: p.next }));
  }
}
