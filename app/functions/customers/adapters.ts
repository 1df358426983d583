import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { documents } from '@conflux/handler-kit';
import { BY_TERM_INDEX, type CustomerBody } from './contract';
import {
  customerOf,
  MAX_RESULTS,
  rankHits,
  ROW_ENTRY,
  termEntry,
  type ArchiveObject,
  type Customer,
  type SearchHit,
  type SearchRow,
  type SearchWrite,
} from './domain';

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

/** The customers' source table: plain items, whose change stream the CDC processor turns into events. */
export function customerStore(tableName: string) {
  const get = async (customerId: string): Promise<Customer | undefined> => {
    const { Item } = await documents.send(
      new GetCommand({ TableName: tableName, Key: { customerId }, ConsistentRead: true }),
    );
    return Item ? customerOf(Item as Customer) : undefined;
  };
  return {
    get,
    /** Writes a new customer; the id is fresh, so an existing item means a bug, not a race. */
    async create(customer: Customer): Promise<void> {
      const now = new Date().toISOString();
      await documents.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...customer, createdAt: now, updatedAt: now },
          ConditionExpression: 'attribute_not_exists(customerId)',
        }),
      );
    },
    /** Replaces an existing customer's fields; undefined when there is no such customer. */
    async replace(customerId: string, body: CustomerBody): Promise<Customer | undefined> {
      const phone = body.phone === undefined ? ' REMOVE phone' : ', phone = :phone';
      try {
        const { Attributes } = await documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { customerId },
            UpdateExpression: `SET #name = :name, email = :email, updatedAt = :now${phone}`,
            ConditionExpression: 'attribute_exists(customerId)',
            ExpressionAttributeNames: { '#name': 'name' },
            ExpressionAttributeValues: {
              ':name': body.name,
              ':email': body.email,
              ':now': new Date().toISOString(),
              ...(body.phone === undefined ? {} : { ':phone': body.phone }),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return customerOf(Attributes as Customer);
      } catch (error: unknown) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },
    /** Deletes a customer; false when there was none. */
    async remove(customerId: string): Promise<boolean> {
      try {
        await documents.send(
          new DeleteCommand({
            TableName: tableName,
            Key: { customerId },
            ConditionExpression: 'attribute_exists(customerId)',
          }),
        );
        return true;
      } catch (error: unknown) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
  };
}

/**
 * A transaction cancelled because another writer got there first: the row changed since it was read
 * (`ConditionalCheckFailed`), or a concurrent transaction held one of its items (`TransactionConflict`).
 */
function lostRace(error: TransactionCanceledException): boolean {
  const codes = (error.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
  return (
    codes.some((c) => c !== 'None') &&
    codes.every((c) => ['None', 'ConditionalCheckFailed', 'TransactionConflict'].includes(c))
  );
}

/** The row write's condition: the row is still as it was read (or still absent). */
function unchangedSince(current: SearchRow | undefined) {
  if (!current) return { ConditionExpression: 'attribute_not_exists(customerId)' };
  const names: Record<string, string> = {
    '#origin': 'origin',
    '#position': 'position',
    '#readAt': 'readAtMs',
  };
  const values: Record<string, unknown> = { ':origin': current.origin };
  const parts = ['#origin = :origin'];
  if (current.position === undefined) parts.push('attribute_not_exists(#position)');
  else {
    parts.push('#position = :position');
    values[':position'] = current.position;
  }
  if (current.readAtMs === undefined) parts.push('attribute_not_exists(#readAt)');
  else {
    parts.push('#readAt = :readAt');
    values[':readAt'] = current.readAtMs;
  }
  return {
    ConditionExpression: parts.join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * The customer search view: one table with a row per customer (`entry = row`) and an item per search term
 * (`entry = term#<term>`), which the `byTerm` index finds by term.
 */
export function searchView(tableName: string) {
  return {
    /** The customer's row, read strongly consistent: the state the next write is conditioned on. */
    async readRow(customerId: string): Promise<SearchRow | undefined> {
      const { Item } = await documents.send(
        new GetCommand({
          TableName: tableName,
          Key: { customerId, entry: ROW_ENTRY },
          ConsistentRead: true,
        }),
      );
      return Item as SearchRow | undefined;
    },

    /**
     * Writes one change as one transaction: the row, conditioned on the row `current` that the write was
     * planned from, the deletes of terms gone and the puts of terms now. False when another writer won (the
     * row changed in between, or a concurrent transaction held one of the items), for the caller to read
     * and plan again.
     */
    async write(plan: SearchWrite, current: SearchRow | undefined): Promise<boolean> {
      const { customerId } = plan.row;
      try {
        await documents.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tableName, Item: plan.row, ...unchangedSince(current) } },
              ...plan.deleteTerms.map((term) => ({
                Delete: { TableName: tableName, Key: { customerId, entry: termEntry(term) } },
              })),
              ...plan.putTerms.map((item) => ({ Put: { TableName: tableName, Item: item } })),
            ],
          }),
        );
        return true;
      } catch (error: unknown) {
        if (error instanceof TransactionCanceledException && lostRace(error)) return false;
        throw error;
      }
    },

    /** The live customers that have any of `words` as a term, ranked (see `rankHits`). */
    async search(words: readonly string[]): Promise<Customer[]> {
      const hits = await Promise.all(
        words.map(async (term) => {
          const { Items } = await documents.send(
            new QueryCommand({
              TableName: tableName,
              IndexName: BY_TERM_INDEX,
              KeyConditionExpression: 'term = :term',
              ExpressionAttributeValues: { ':term': term },
              Limit: MAX_RESULTS,
            }),
          );
          return (Items ?? []) as SearchHit[];
        }),
      );
      return rankHits(hits);
    },
  };
}

/** The raw change archive: one object per change. */
export function changeArchive(bucketName: string, s3: S3Client = new S3Client({})) {
  return {
    /** Writes (or rewrites, with the same bytes) one change's object. */
    async put(object: ArchiveObject): Promise<void> {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucketName,
          Key: object.key,
          Body: object.body,
          ContentType: 'application/json',
        }),
      );
    },
  };
}
