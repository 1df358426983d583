import { readFileSync } from 'node:fs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** A seed file: items by table, each table named by the end of its physical name (`…-inventory`). */
export interface SeedFile {
  readonly description?: string;
  readonly tables: Readonly<Record<string, readonly Record<string, unknown>[]>>;
}

/** A seed that cannot be applied: the message names the table and why. */
export class SeedError extends Error {
  public override readonly name = 'SeedError';
}

/**
 * Writes a seed file's items into the running application's tables. A table is the one resource whose
 * physical name ends with `-<key>`; none or several is an error. Returns the item count by table key.
 */
export async function applySeed(
  client: DynamoDBClient,
  resources: Readonly<Record<string, string>>,
  file: string,
): Promise<Record<string, number>> {
  const seed = JSON.parse(readFileSync(file, 'utf8')) as SeedFile;
  const documents = DynamoDBDocumentClient.from(client);
  const names = [...new Set(Object.values(resources))];
  const applied: Record<string, number> = {};
  for (const [key, items] of Object.entries(seed.tables)) {
    const matches = names.filter((n) => n.endsWith(`-${key}`) && !n.includes(':') && !n.includes('/'));
    if (matches.length !== 1) {
      throw new SeedError(
        `seed table "${key}" must match exactly one table named "…-${key}"; found ${matches.length === 0 ? 'none' : matches.join(', ')}`,
      );
    }
    const table = matches[0] ?? '';
    for (let i = 0; i < items.length; i += 25) {
      await documents.send(
        new BatchWriteCommand({
          RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
        }),
      );
    }
    applied[key] = items.length;
  }
  return applied;
}
