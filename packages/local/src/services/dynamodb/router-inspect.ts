import type { Replicator } from './replication.js';
import type { AttributeMap, GlobalTableRegistration, WrittenItem } from './replication-types.js';

/** What a request does to the registered tables of the Region it is signed for. */
export interface Inspection {
  /** The items it writes in registered tables. */
  readonly writes: readonly WrittenItem[];
  /** The MRSC tables it writes. */
  readonly strong: readonly GlobalTableRegistration[];
  /** The MRSC tables it reads with `ConsistentRead`. */
  readonly consistentStrongRead: readonly GlobalTableRegistration[];
  /** Whether it is a transaction naming an MRSC table. */
  readonly strongTransaction: boolean;
}

type Body = Record<string, unknown>;

const object = (value: unknown): Body =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Body) : {};
const list = (value: unknown): unknown[] => (Array.isArray(value) ? (value as unknown[]) : []);

/** Reads a request body for the registered tables it names; throws when the body is not JSON. */
export function inspect(replicator: Replicator, region: string, operation: string, body: Buffer): Inspection {
  const input = object(JSON.parse(body.toString() || '{}'));
  const writes: WrittenItem[] = [];
  const reads: { tableName: unknown; consistent: unknown }[] = [];
  const transacted: unknown[] = [];
  const write = (tableName: unknown, key: unknown, whole = false) => {
    if (!replicator.table(tableName, region) || typeof tableName !== 'string') return;
    const attributes: AttributeMap = object(key);
    writes.push({ tableName, key: whole ? replicator.keyOf(tableName, attributes) : attributes });
  };
  switch (operation) {
    case 'PutItem':
      write(input.TableName, input.Item, true);
      break;
    case 'UpdateItem':
    case 'DeleteItem':
      write(input.TableName, input.Key);
      break;
    case 'BatchWriteItem':
      for (const [tableName, requests] of Object.entries(object(input.RequestItems))) {
        for (const request of list(requests)) {
          const r = object(request);
          if (r.PutRequest) write(tableName, object(r.PutRequest).Item, true);
          if (r.DeleteRequest) write(tableName, object(r.DeleteRequest).Key);
        }
      }
      break;
    case 'TransactWriteItems':
      for (const entry of list(input.TransactItems)) {
        const e = object(entry);
        if (e.Put) write(object(e.Put).TableName, object(e.Put).Item, true);
        if (e.Update) write(object(e.Update).TableName, object(e.Update).Key);
        if (e.Delete) write(object(e.Delete).TableName, object(e.Delete).Key);
        for (const part of [e.Put, e.Update, e.Delete, e.ConditionCheck]) {
          if (part) transacted.push(object(part).TableName);
        }
      }
      break;
    case 'TransactGetItems':
      for (const entry of list(input.TransactItems)) transacted.push(object(object(entry).Get).TableName);
      break;
    case 'GetItem':
    case 'Query':
    case 'Scan':
      reads.push({ tableName: input.TableName, consistent: input.ConsistentRead });
      break;
    case 'BatchGetItem':
      for (const [tableName, keys] of Object.entries(object(input.RequestItems))) {
        reads.push({ tableName, consistent: object(keys).ConsistentRead });
      }
      break;
  }
  const strong = (tableName: unknown) => {
    const table = replicator.table(tableName, region);
    return table?.mode === 'strong' ? [table] : [];
  };
  return {
    writes,
    strong: [...new Set(writes.flatMap((w) => strong(w.tableName)))],
    consistentStrongRead: [
      ...new Set(reads.filter((r) => r.consistent === true).flatMap((r) => strong(r.tableName))),
    ],
    strongTransaction: transacted.some((t) => strong(t).length > 0),
  };
}

/**
 * The written items the engine carried out: all of them, but for a `BatchWriteItem` the requests it returned
 * in `UnprocessedItems`.
 */
export function processed(
  operation: string,
  writes: readonly WrittenItem[],
  answer: Buffer,
  replicator: Replicator,
): readonly WrittenItem[] {
  if (operation !== 'BatchWriteItem') return writes;
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.toString() || '{}');
  } catch {
    // The engine said 200: the writes were carried out, whatever its body looks like.
    return writes;
  }
  const unprocessed = object(object(parsed).UnprocessedItems);
  const skipped = new Set<string>();
  for (const [tableName, requests] of Object.entries(unprocessed)) {
    for (const request of list(requests)) {
      const r = object(request);
      const key = r.PutRequest
        ? replicator.keyOf(tableName, object(object(r.PutRequest).Item))
        : object(object(r.DeleteRequest).Key);
      skipped.add(`${tableName}\u0000${replicator.keyId(tableName, key)}`);
    }
  }
  return writes.filter((w) => !skipped.has(`${w.tableName}\u0000${replicator.keyId(w.tableName, w.key)}`));
}

/** A table named after FROM, INTO or UPDATE: `"name"`, `"name"."index"` or a bare name. */
const PARTIQL_TABLE = /\b(?:FROM|INTO|UPDATE)\s+("(?:[^"]|"")+"|[A-Za-z0-9_.-]+)/gi;

/**
 * The tables the PartiQL statements of an `ExecuteStatement`, `BatchExecuteStatement` or
 * `ExecuteTransaction` body name (a bare `table.index` names both readings); none when it is not JSON.
 */
export function partiqlTables(body: Buffer): string[] {
  let input: Body;
  try {
    input = object(JSON.parse(body.toString() || '{}'));
  } catch {
    return [];
  }
  const statements = [
    input.Statement,
    ...list(input.Statements).map((s) => object(s).Statement),
    ...list(input.TransactStatements).map((s) => object(s).Statement),
  ].filter((s): s is string => typeof s === 'string');
  const names = new Set<string>();
  for (const statement of statements) {
    for (const match of statement.matchAll(PARTIQL_TABLE)) {
      const token = match[1] ?? '';
      if (token.startsWith('"')) {
        names.add(token.slice(1, -1).replace(/""/g, '"'));
      } else {
        names.add(token);
        names.add(token.split('.')[0] ?? token);
      }
    }
  }
  return [...names];
}
