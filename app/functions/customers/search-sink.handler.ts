import type { KinesisStreamRecord } from 'aws-lambda';
import { requireEnv } from '@conflux/handler-kit';
import { createChangeConsumer, parseChangeRecord } from '@conflux/handler-kit/cdc';
import { searchView } from './adapters';
import { customerIdOf, planSearchWrite } from './domain';

const view = searchView(requireEnv('SEARCH_TABLE_NAME'));
/** Reads and plans again this often when another writer changes the row in between. */
const ATTEMPTS = 3;

/** Another writer kept changing the customer's row: the record fails, and Lambda delivers it again. */
export class SearchViewContendedError extends Error {
  public override readonly name = 'SearchViewContendedError';
}

async function apply(record: KinesisStreamRecord): Promise<void> {
  const change = parseChangeRecord(record);
  if (change.tombstone || change.value === null) return;
  const customerId = customerIdOf(change);
  for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
    const current = await view.readRow(customerId);
    const plan = planSearchWrite(change, current);
    if (!plan || (await view.write(plan, current))) return;
    // Jittered, so two writers that collided do not collide again.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * attempt));
  }
  throw new SearchViewContendedError(
    `the search row of ${customerId} changed under each of ${ATTEMPTS} writes`,
  );
}

/**
 * The customer search view, kept from the customers' change events: per change, read the customer's row,
 * let `decideApply` (through `planSearchWrite`) decide by source position, and write the row and its term
 * items in one transaction conditioned on the row read. Duplicates, retries and replays are skipped or
 * rewrite the same state; a delete leaves a tombstone row; tombstone records change nothing. Records are
 * applied in order (a key's changes are in order on its shard); one that fails (malformed, not a customer's)
 * is reported alone in `batchItemFailures`.
 */
export const handler = createChangeConsumer(apply, {
  failureMessage: 'change not applied to the search view',
  inOrder: true,
});
