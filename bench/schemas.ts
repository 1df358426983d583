/**
 * Event schemas, each figure with a baseline from the same run:
 *  1. the checker's run time over every schema (and the API body snapshots), against reading and parsing
 *     the same files (the floor of any checker);
 *  2. the publish path's validation cost per event (envelope + Avro data), against serialising the event
 *     alone.
 *
 *   npx tsx --import ./bench/support/avsc-hook.mjs bench/schemas.ts
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { validateEventData } from '../app/functions/shared/event-schemas';
import { DomainEvent } from '@conflux/handler-kit';
import { checkSchemaFolder } from '@conflux/schemas';
import { checkApiBodies } from '../app/schemas/api-bodies';
import { figure, formatFigure, stats, type Benchmark } from './support/figures';
import { isMain } from './support/main';

const dir = path.resolve(import.meta.dirname, '../app/schemas');
const RUNS = Number(process.env.SCHEMA_RUNS ?? 30);
const EVENTS = Number(process.env.SCHEMA_EVENTS ?? 100_000);

function listJson(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? listJson(path.join(folder, e.name))
      : /\.(avsc|json)$/.test(e.name)
        ? [path.join(folder, e.name)]
        : [],
  );
}

const event: DomainEvent = {
  eventId: randomUUID(),
  eventType: 'OrderConfirmed',
  aggregateType: 'order',
  aggregateId: randomUUID(),
  schemaVersion: 2,
  occurredAt: new Date().toISOString(),
  data: {
    orderId: randomUUID(),
    customerId: 'c-1',
    items: [
      { sku: 'SKU-1', quantity: 2 },
      { sku: 'SKU-2', quantity: 1 },
    ],
    channel: 'api',
  },
};

/** µs per call of `fn`, over `n` calls after a warm-up; `rounds` such measurements. */
function perCall(fn: () => void, n: number, rounds: number): number[] {
  for (let i = 0; i < 5_000; i += 1) fn();
  return Array.from({ length: rounds }, () => {
    const t0 = performance.now();
    for (let i = 0; i < n; i += 1) fn();
    return ((performance.now() - t0) * 1000) / n;
  });
}

export const benchmark: Benchmark = {
  group: 'schemas',
  run() {
    const files = listJson(dir);
    const check: number[] = [];
    const read: number[] = [];
    let summary = checkSchemaFolder(dir, { checks: [checkApiBodies] });
    for (let i = 0; i < RUNS; i += 1) {
      let t0 = performance.now();
      for (const file of files) JSON.parse(readFileSync(file, 'utf8'));
      read.push(performance.now() - t0);
      t0 = performance.now();
      summary = checkSchemaFolder(dir, { checks: [checkApiBodies] });
      check.push(performance.now() - t0);
    }
    const serialise: number[] = [];
    const validate: number[] = [];
    for (let round = 0; round < 5; round += 1) {
      serialise.push(...perCall(() => JSON.stringify(event), EVENTS / 5, 1));
      validate.push(
        ...perCall(
          () => {
            const envelope = DomainEvent.safeParse(event);
            if (
              !envelope.success ||
              validateEventData(event.eventType, event.schemaVersion, event.data).length > 0
            )
              throw new Error('invalid');
            JSON.stringify(event);
          },
          EVENTS / 5,
          1,
        ),
      );
    }
    return Promise.resolve([
      figure({
        id: 'schemas.check.ms',
        group: 'schemas',
        title: `schemas:check over ${summary.types} event types, ${summary.versions} versions and the API bodies`,
        unit: 'ms',
        better: 'lower',
        subject: stats(check),
        baseline: { label: `reading and parsing the ${files.length} files`, stats: stats(read) },
      }),
      figure({
        id: 'schemas.publish.validate-us',
        group: 'schemas',
        title: 'publish path per event: envelope + Avro validation + serialise',
        unit: 'µs',
        better: 'lower',
        subject: stats(validate),
        baseline: { label: 'serialise only', stats: stats(serialise) },
        withDelta: true,
        note: `${EVENTS} events in 5 rounds; an SNS publish takes milliseconds`,
      }),
    ]);
  },
};

if (isMain(import.meta.url)) for (const f of await benchmark.run()) console.log(formatFigure(f));
