/**
 * Change-to-sink latency of the customers' change data capture, offline, through the whole runtime: the
 * reference app runs (`runReferenceApp`: DynamoDB Local, kinesalite, the Lambda host, the event source
 * mappings); a burst of CDC_LATENCY_CHANGES writes (new customers, then updates of some of them) goes
 * straight to the customers table; each change's latency is the time from its write being sent to its row
 * (at that change's name) being visible in the search view — table stream → CDC processor → EventStream →
 * search sink (enhanced fan-out) → view. The baseline is the floor of the same measurement: the time from
 * the same write being sent to the row being visible in the source table itself, found by the same
 * scanning loop, so the loop's own resolution is in both.
 *
 *   npx tsx bench/cdc-latency.ts
 *   CDC_LATENCY_CHANGES=200 npx tsx bench/cdc-latency.ts
 */
import { randomUUID } from 'node:crypto';
import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { runReferenceApp } from '../app/test/support/reference-app';
import { figure, formatFigure, stats, type Benchmark, type Figure } from './support/figures';
import { isMain } from './support/main';

const CHANGES = Number(process.env.CDC_LATENCY_CHANGES ?? 1000);
/** How many writes are in flight at once: a burst, not one at a time. */
const CONCURRENCY = 16;
/** How often the views are scanned. */
const SCAN_EVERY_MS = 20;

/** Every row of `table` (its `customerId` → `name`), with `filter` keeping only some items. */
async function names(
  ddb: DynamoDBClient,
  table: string,
  filter?: { expression: string; values: Record<string, { S: string }> },
): Promise<Map<string, string>> {
  const rows = new Map<string, string>();
  let start: Record<string, never> | undefined;
  do {
    const page = await ddb.send(
      new ScanCommand({
        TableName: table,
        ExclusiveStartKey: start,
        ...(filter ? { FilterExpression: filter.expression, ExpressionAttributeValues: filter.values } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const id = item.customerId?.S;
      const name = item.name?.S;
      if (id && name) rows.set(id, name);
    }
    start = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (start);
  return rows;
}

export const benchmark: Benchmark = {
  group: 'cdc-latency',
  async run(): Promise<Figure[]> {
    const app = await runReferenceApp();
    try {
      const ddb = app.running.runtime.engines.dynamodb;
      const source = app.running.physical(app.stacks.api.customers.table);
      const view = app.running.physical(app.stacks.api.customers.searchTable);
      // The burst: every change is a new customer or an update of one written before, under a name that
      // says which change it is, so the view shows when that change (not an earlier one) arrived.
      const ids = Array.from({ length: Math.ceil(CHANGES * 0.7) }, () => randomUUID());
      const changes = Array.from({ length: CHANGES }, (_, i) => ({
        id: ids[i < ids.length ? i : Math.floor(Math.random() * ids.length)] ?? '',
        name: `bench ${i}`,
      }));
      // The last change of each customer: once all of them are seen, the burst has arrived.
      const finals = new Set([...new Map(changes.map((c) => [c.id, `${c.id}|${c.name}`])).values()]);
      const sentAt = new Map<string, number>();
      const seen = { source: new Map<string, number>(), view: new Map<string, number>() };
      let writing = true;
      const watch = async (where: 'source' | 'view', table: string) => {
        const filter =
          where === 'view'
            ? {
                expression: 'entry = :row AND attribute_not_exists(deleted)',
                values: { ':row': { S: 'row' } },
              }
            : undefined;
        const done = () => [...finals].every((key) => seen[where].has(key));
        while (writing || !done()) {
          const t = performance.now();
          for (const [id, name] of await names(ddb, table, filter)) {
            const key = `${id}|${name}`;
            if (sentAt.has(key) && !seen[where].has(key)) seen[where].set(key, t);
          }
          await new Promise((resolve) => setTimeout(resolve, SCAN_EVERY_MS));
          if (!writing && performance.now() - lastWrite > 60_000) break;
        }
      };
      let lastWrite = performance.now();
      const watchers = [watch('source', source), watch('view', view)];
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < changes.length) {
            const change = changes[next];
            next += 1;
            if (!change) continue;
            sentAt.set(`${change.id}|${change.name}`, performance.now());
            await ddb.send(
              new PutItemCommand({
                TableName: source,
                Item: {
                  customerId: { S: change.id },
                  name: { S: change.name },
                  email: { S: `${change.id.slice(0, 8)}@example.com` },
                },
              }),
            );
            lastWrite = performance.now();
          }
        }),
      );
      writing = false;
      await Promise.all(watchers);
      // A change overwritten before the view was scanned is never seen under its own name: only the
      // changes seen in both places are measured.
      const latency = (where: 'source' | 'view') =>
        [...seen[where]].flatMap(([key, t]) =>
          seen.source.has(key) && seen.view.has(key) ? [t - (sentAt.get(key) ?? t)] : [],
        );
      const measured = latency('view').length;
      return [
        figure({
          id: 'cdc-latency.change-to-search-view.ms',
          group: 'cdc-latency',
          title: `change to search view, burst of ${CHANGES}`,
          unit: 'ms',
          better: 'lower',
          subject: stats(latency('view')),
          baseline: { label: 'change visible in the source table', stats: stats(latency('source')) },
          withDelta: true,
          note: `${measured} of ${CHANGES} changes seen in both (the rest were overwritten before a scan); ${CONCURRENCY} writes in flight; views scanned every ${SCAN_EVERY_MS} ms`,
        }),
      ];
    } finally {
      await app.stop();
    }
  },
};

if (isMain(import.meta.url)) {
  for (const f of await benchmark.run()) console.log(formatFigure(f));
  process.exit(0);
}
