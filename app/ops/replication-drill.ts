/**
 * The failover drill (`npm run replication:drill`): against the offline runtime's global tables, it writes a
 * stream of changes in Region A, cuts A off mid-stream, fails the client over to Region B, and measures what
 * the playbook's replication table only states — what was lost (RPO in writes and seconds), how soon B served
 * reads and writes, how many conflicts last-writer-wins resolved once A came back, and what each write cost.
 *
 * It drives the runtime's replication controls (`/_conflux/replication`, `/_conflux/regions/<r>/<action>` on its
 * DynamoDB endpoint) and writes only items of its own (`drill-<run>-<n>`), which it deletes at the end. Region A
 * is a replica other than us-east-1, where the app's handlers run, so the app keeps serving during the drill.
 */
import { randomUUID } from 'node:crypto';
import {
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';

/** The drill cannot run: no runtime answers, no table of the mode, a control refused. */
export class DrillError extends Error {
  public override readonly name = 'DrillError';
}

export type DrillMode = 'eventual' | 'strong';

/** A replicated table as `GET /_conflux/replication` lists it. */
interface ReplicatedTable {
  readonly tableName: string;
  readonly mode: DrillMode;
  readonly regions: readonly string[];
  readonly witness?: string;
  readonly conflicts: number;
}

/** `GET /_conflux/replication`, the parts the drill reads. */
interface ReplicationState {
  readonly lagMs: number;
  readonly roundTripMs: number;
  readonly tables: readonly ReplicatedTable[];
}

export interface DrillOptions {
  /** The runtime's DynamoDB endpoint (`endpoints.dynamodb` of `.conflux/local.json`). */
  readonly endpoint: string;
  readonly mode: DrillMode;
  /** Changes written in all, before and after the cut. @default 200 */
  readonly writes?: number;
  /** Items the changes spread over. @default 20 */
  readonly items?: number;
  /** Pause between two writes, ms. @default 5 */
  readonly intervalMs?: number;
  /** The share of the writes made before A is cut off. @default 0.5 */
  readonly cutAfter?: number;
  /** The table to drill; by default the first replicated table of the mode. */
  readonly tableName?: string;
}

/** What one drill measured. */
export interface DrillResult {
  readonly mode: DrillMode;
  readonly tableName: string;
  readonly regionA: string;
  readonly regionB: string;
  /** The configured replication lag (eventual) or round trip (strong), ms. */
  readonly configuredMs: number;
  /** Writes acknowledged by A before the cut. */
  readonly ackedInA: number;
  /** Writes acknowledged by A whose effect B did not hold when the client failed over. */
  readonly lostWrites: number;
  /** From the oldest lost write's acknowledgment to the cut, seconds (0 when nothing was lost). */
  readonly rpoSeconds: number;
  /** From the cut to B's first successful read (strongly consistent in strong mode), ms. */
  readonly readsServedAfterMs: number;
  /** From the cut to B's first acknowledged write (of a probe item), ms. */
  readonly writesServedAfterMs: number;
  /** Writes acknowledged by B after the failover. */
  readonly ackedInB: number;
  /** Items whose unreplicated A write reached B once A came back, and won. */
  readonly recoveredItems: number;
  /** Items whose unreplicated A write lost to B's later write once A came back. */
  readonly overwrittenItems: number;
  /** Replicated writes that arrived older than a Region's item and were dropped (last writer wins), in any Region. */
  readonly conflicts: number;
  /** Both Regions hold the same value of every item after A's return. */
  readonly converged: boolean;
  /** Latency of A's acknowledged writes, ms. */
  readonly writeLatencyMs: { readonly p50: number; readonly p95: number };
}

/** The Region the offline runtime runs the app's handlers in. */
const HOME_REGION = 'us-east-1';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The p-th percentile (0–100) of the values, nearest rank; 0 for none. */
function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Calls one of the runtime's replication controls; an answer that is not 2xx is a {@link DrillError}. */
async function control<T>(endpoint: string, method: string, route: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(new URL(route, endpoint), {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new DrillError(`no offline runtime answers at ${endpoint}: start the app with npm start first`);
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!response.ok || parsed === undefined) {
    const message = (parsed as { message?: string } | undefined)?.message ?? `HTTP ${response.status}`;
    if (response.status === 404 && route === '/_conflux/replication') {
      throw new DrillError(`the runtime at ${endpoint} has no replication controls: is it an older Conflux?`);
    }
    throw new DrillError(`${method} ${route}: ${message}`);
  }
  return parsed as T;
}

/** The runtime's replication state. */
export function replicationState(endpoint: string): Promise<ReplicationState> {
  return control<ReplicationState>(endpoint, 'GET', '/_conflux/replication');
}

/** Brings every Region of the table up and joined (a drill that stopped half-way left one down). */
async function restore(endpoint: string, table: ReplicatedTable): Promise<void> {
  for (const region of [...table.regions, ...(table.witness ? [table.witness] : [])]) {
    await control(endpoint, 'POST', `/_conflux/regions/${region}/start`);
    await control(endpoint, 'POST', `/_conflux/regions/${region}/heal`);
  }
}

/** Waits until every deliverable replication is applied. */
async function settle(endpoint: string): Promise<void> {
  await control(endpoint, 'POST', '/_conflux/replication/settle?timeoutMs=60000');
}

/** Runs one drill. The Regions are restored and the drill's items deleted whether it succeeds or not. */
export async function runDrill(options: DrillOptions): Promise<DrillResult> {
  const { endpoint, mode } = options;
  const writes = options.writes ?? 200;
  const itemCount = options.items ?? 20;
  const intervalMs = options.intervalMs ?? 5;
  const cutIndex = Math.max(1, Math.min(writes - 1, Math.round(writes * (options.cutAfter ?? 0.5))));
  if (!Number.isInteger(writes) || writes < 2)
    throw new DrillError('writes must be a whole number of at least 2');
  if (!Number.isInteger(itemCount) || itemCount < 1)
    throw new DrillError('items must be a whole number of at least 1');

  const state = await replicationState(endpoint);
  const table = state.tables.find((t) =>
    options.tableName ? t.tableName === options.tableName : t.mode === mode,
  );
  if (!table) {
    throw new DrillError(
      options.tableName
        ? `the running app has no replicated table ${options.tableName}`
        : `the running app has no ${mode} global table: set a family of conflux:replication to "${mode}" (cdk.json) and restart`,
    );
  }
  if (table.mode !== mode) throw new DrillError(`${table.tableName} replicates ${table.mode}ly, not ${mode}`);
  // A is a replica the app's handlers do not run in (they run in the home Region), so the app keeps serving
  // while A is down; B is another replica, the home Region only when there is no third.
  const others = table.regions.filter((r) => r !== HOME_REGION);
  const regionA = others[0] ?? table.regions[0] ?? '';
  const regionB = others.find((r) => r !== regionA) ?? table.regions.find((r) => r !== regionA);
  if (!regionB) throw new DrillError(`${table.tableName} has no second Region to fail over to`);

  // One attempt per call: the drill's client fails over itself instead of retrying a Region that is down.
  const client = (region: string) =>
    new DynamoDBClient({
      region,
      endpoint,
      maxAttempts: 1,
      credentials: { accessKeyId: 'drill', secretAccessKey: 'drill' },
    });
  const a = client(regionA);
  const b = client(regionB);
  const run = randomUUID().slice(0, 8);
  const keyOf = await keyBuilder(a, table.tableName, run);
  const strong = mode === 'strong';

  await restore(endpoint, table);
  const conflictsBefore = table.conflicts;
  try {
    // 1. The stream of changes in A, each acknowledged write remembered.
    const ackedAt = new Map<number, number>();
    const latencies: number[] = [];
    for (let i = 0; i < cutIndex; i++) {
      const started = performance.now();
      await a.send(
        new PutItemCommand({ TableName: table.tableName, Item: item(keyOf, i % itemCount, i, run) }),
      );
      latencies.push(performance.now() - started);
      ackedAt.set(i, Date.now());
      if (intervalMs > 0) await sleep(intervalMs);
    }

    // 2. A is cut off mid-stream; the client fails over to B.
    await control(endpoint, 'POST', `/_conflux/regions/${regionA}/stop`);
    const cutAt = Date.now();
    const firstKey = keyOf(0);
    const readsServedAfterMs = await firstSuccess(cutAt, () =>
      b.send(new GetItemCommand({ TableName: table.tableName, Key: firstKey, ConsistentRead: strong })),
    );
    // B takes writes again: a probe item of the drill's own, so the items' state at failover stays as it was.
    const probe = keyOf(itemCount);
    const writesServedAfterMs = await firstSuccess(cutAt, () =>
      b.send(new PutItemCommand({ TableName: table.tableName, Item: { ...probe, drillRun: { S: run } } })),
    );
    // What B holds at failover: the newest sequence number of each item.
    const atFailover = await sequences(b, table.tableName, keyOf, itemCount, strong);
    const lost = [...ackedAt.keys()].filter((i) => (atFailover.get(i % itemCount) ?? -1) < i);
    const oldestLost = lost.length > 0 ? Math.min(...lost) : undefined;

    // 3. The rest of the stream goes to B.
    let ackedInB = 0;
    for (let i = cutIndex; i < writes; i++) {
      await b.send(
        new PutItemCommand({ TableName: table.tableName, Item: item(keyOf, i % itemCount, i, run) }),
      );
      ackedInB++;
      if (intervalMs > 0) await sleep(intervalMs);
    }

    // 4. A comes back; held replications flow both ways and last writer wins.
    await control(endpoint, 'POST', `/_conflux/regions/${regionA}/start`);
    await settle(endpoint);
    const finalA = await sequences(a, table.tableName, keyOf, itemCount, true);
    const finalB = await sequences(b, table.tableName, keyOf, itemCount, true);
    const converged = [...Array(itemCount).keys()].every((k) => finalA.get(k) === finalB.get(k));
    const lostItems = new Set(lost.map((i) => i % itemCount));
    let recoveredItems = 0;
    let overwrittenItems = 0;
    for (const k of lostItems) {
      if ((finalB.get(k) ?? -1) < cutIndex) recoveredItems++;
      else overwrittenItems++;
    }
    const after = await replicationState(endpoint);
    const conflicts =
      (after.tables.find((t) => t.tableName === table.tableName)?.conflicts ?? 0) - conflictsBefore;

    return {
      mode,
      tableName: table.tableName,
      regionA,
      regionB,
      configuredMs: strong ? state.roundTripMs : state.lagMs,
      ackedInA: ackedAt.size,
      lostWrites: lost.length,
      rpoSeconds:
        oldestLost === undefined ? 0 : round((cutAt - (ackedAt.get(oldestLost) ?? cutAt)) / 1000, 3),
      readsServedAfterMs,
      writesServedAfterMs,
      ackedInB,
      recoveredItems,
      overwrittenItems,
      conflicts,
      converged,
      writeLatencyMs: { p50: round(percentile(latencies, 50)), p95: round(percentile(latencies, 95)) },
    };
  } finally {
    await restore(endpoint, table).catch(() => undefined);
    await settle(endpoint).catch(() => undefined);
    for (let k = 0; k <= itemCount; k++) {
      await a
        .send(new DeleteItemCommand({ TableName: table.tableName, Key: keyOf(k) }))
        .catch(() => undefined);
    }
    await settle(endpoint).catch(() => undefined);
    a.destroy();
    b.destroy();
  }
}

type KeyOf = (item: number) => Record<string, AttributeValue>;

/** Builds the key of the drill's n-th item from the table's key schema (a sort key gets a constant). */
async function keyBuilder(client: DynamoDBClient, tableName: string, run: string): Promise<KeyOf> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const types = new Map((Table?.AttributeDefinitions ?? []).map((d) => [d.AttributeName, d.AttributeType]));
  const schema = Table?.KeySchema ?? [];
  const value = (name: string, text: string, n: number): AttributeValue => {
    const type = types.get(name);
    if (type === 'N') return { N: String(n) };
    if (type === 'B') return { B: new TextEncoder().encode(text) };
    return { S: text };
  };
  return (n) =>
    Object.fromEntries(
      schema.map((k) => {
        const name = k.AttributeName ?? '';
        // A numeric key spreads the run over its own range, far from real items.
        return [
          name,
          k.KeyType === 'HASH' ? value(name, `drill-${run}-${n}`, 9e12 + n) : value(name, 'drill', 0),
        ];
      }),
    );
}

/** The drill's n-th item at sequence number seq. */
function item(keyOf: KeyOf, n: number, seq: number, run: string): Record<string, AttributeValue> {
  return {
    ...keyOf(n),
    drillRun: { S: run },
    drillSeq: { N: String(seq) },
    drillWrittenAt: { S: new Date().toISOString() },
  };
}

/** The newest sequence number of each of the drill's items in a Region (absent: not there). */
async function sequences(
  client: DynamoDBClient,
  tableName: string,
  keyOf: KeyOf,
  items: number,
  consistent: boolean,
): Promise<Map<number, number>> {
  const found = new Map<number, number>();
  for (let k = 0; k < items; k++) {
    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableName, Key: keyOf(k), ConsistentRead: consistent }),
    );
    const seq = Item?.drillSeq?.N;
    if (seq !== undefined) found.set(k, Number(seq));
  }
  return found;
}

/** Ms from `since` until `attempt` first succeeds, trying every 10 ms for up to 30 s. */
async function firstSuccess(since: number, attempt: () => Promise<unknown>): Promise<number> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await attempt();
      return Date.now() - since;
    } catch (error: unknown) {
      if (Date.now() > deadline) {
        throw new DrillError(`Region B did not answer within 30 s of the cut: ${String(error)}`);
      }
      await sleep(10);
    }
  }
}

/** The drill results as a Markdown table, a row per mode. */
export function drillTable(results: readonly DrillResult[]): string {
  const header = [
    'mode',
    'table',
    'A → B',
    'configured',
    'acked in A',
    'lost at failover',
    'RPO',
    'reads in B after',
    'writes in B after',
    'recovered / overwritten items',
    'deliveries dropped by LWW',
    'converged',
    'write p50 / p95',
  ];
  const rows = results.map((r) => [
    r.mode,
    r.tableName,
    `${r.regionA} → ${r.regionB}`,
    r.mode === 'strong' ? `${r.configuredMs} ms round trip` : `${r.configuredMs} ms lag`,
    String(r.ackedInA),
    `${r.lostWrites} writes`,
    `${r.rpoSeconds} s`,
    `${r.readsServedAfterMs} ms`,
    `${r.writesServedAfterMs} ms`,
    `${r.recoveredItems} / ${r.overwrittenItems}`,
    String(r.conflicts),
    r.converged ? 'yes' : 'no',
    `${r.writeLatencyMs.p50} / ${r.writeLatencyMs.p95} ms`,
  ]);
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
