/**
 * Event schemas: the checker's run time over every schema (and API body snapshot), and the publish path's
 * validation cost per event against the same path without validation (serialising only), in one run.
 *
 *   npm run bench:schemas
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { validateEventData } from '../app/functions/shared/event-schemas';
import { DomainEvent } from '@conflux/handler-kit';
import { checkSchemaFolder } from '@conflux/schemas';
import { checkApiBodies } from '../app/schemas/api-bodies';

const dir = path.resolve(import.meta.dirname, '../app/schemas');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const runs: number[] = [];
let summary = checkSchemaFolder(dir, { checks: [checkApiBodies] });
for (let i = 0; i < 30; i += 1) {
  const t0 = performance.now();
  summary = checkSchemaFolder(dir, { checks: [checkApiBodies] });
  runs.push(performance.now() - t0);
}
console.log(
  `schemas:check: median ${median(runs).toFixed(1)} ms over ${summary.types} event types, ${summary.versions} versions and the API body snapshots (30 runs; first run includes avsc's schema parsing)`,
);

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
const n = 100_000;
const time = (fn: () => void) => {
  for (let i = 0; i < 5_000; i += 1) fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i += 1) fn();
  return ((performance.now() - t0) * 1000) / n;
};
const baseline = time(() => JSON.stringify(event));
const validated = time(() => {
  const envelope = DomainEvent.safeParse(event);
  if (!envelope.success || validateEventData(event.eventType, event.schemaVersion, event.data).length > 0)
    throw new Error('invalid');
  JSON.stringify(event);
});
console.log(
  `publish path per event (${n} events): validated ${validated.toFixed(2)} µs, baseline serialise-only ${baseline.toFixed(2)} µs`,
);
console.log(
  `  validation overhead ${(validated - baseline).toFixed(2)} µs per event (${(validated / baseline).toFixed(1)}× the baseline; an SNS publish is milliseconds)`,
);
