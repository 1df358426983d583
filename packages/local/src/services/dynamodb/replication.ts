import type { EngineLink } from './engine-link.js';
import { KeyLocks } from './key-locks.js';
import { Regions, type RegionAction } from './regions.js';
import type {
  AttributeMap,
  GlobalTableRegistration,
  RegionState,
  ReplicationDocument,
  TableReplication,
  VersionedItem,
  WrittenItem,
} from './replication-types.js';

/** A written item on its way from one Region's table to another's. */
interface Delivery {
  readonly table: TableState;
  readonly keyId: string;
  readonly key: AttributeMap;
  /** The full image after the write; undefined for a delete. */
  readonly image?: AttributeMap;
  readonly version: number;
  readonly source: string;
  readonly target: string;
  readonly ackedAt: number;
  /** When it may go: the lag after the write, later after a failed attempt. */
  dueAt: number;
  /** Attempts that failed (the engine refused or was unreachable). */
  attempts: number;
  /** Being applied by the MRSC write that made it: the pump leaves it alone. */
  claimed: boolean;
}

/** The version an item has in one Region, and the Region whose write made it. */
interface Slot {
  readonly version: number;
  readonly source: string;
}

interface TableState {
  readonly registration: GlobalTableRegistration;
  readonly keyNames: readonly string[];
  delivered: number;
  conflicts: number;
  /** Deliveries given up after {@link MAX_ATTEMPTS} failed attempts, and read-backs that kept failing. */
  failed: number;
  /** Versions whose write lost to a later one somewhere: a pair of concurrent writes counts once. */
  readonly lost: Set<number>;
  readonly lags: number[];
}

/** How many lag samples a table keeps, the latest ones. */
const LAG_SAMPLES = 10_000;
/** Attempts of one delivery before it is given up (counted as failed). */
const MAX_ATTEMPTS = 6;
/** The wait after the first failed attempt of a delivery, doubled after each next one. */
const RETRY_BASE_MS = 50;
/** Attempts of a read-back before the write is given up. */
const READ_BACK_ATTEMPTS = 3;

/** The canonical text of a DynamoDB number: `1`, `1.0`, `01` and `1e0` are one number. */
export function canonicalNumber(text: string): string {
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
  const whole = m?.[2] ?? '';
  const fraction = m?.[3] ?? '';
  if (!m || (whole === '' && fraction === '')) return text;
  let digits = whole + fraction;
  // The value is 0.<digits> × 10^exponent.
  let exponent = Number(m[4] ?? 0) + whole.length;
  const lead = digits.length - digits.replace(/^0+/, '').length;
  digits = digits.slice(lead).replace(/0+$/, '');
  exponent -= lead;
  if (digits === '') return '0';
  return `${m[1] === '-' ? '-' : ''}0.${digits}e${exponent}`;
}

/** A key attribute's value in canonical form. */
function canonicalValue(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && typeof (value as { N?: unknown }).N === 'string') {
    return { N: canonicalNumber((value as { N: string }).N) };
  }
  return value;
}
/**
 * The replication state of the router: the registered global tables, a hybrid logical clock, the version of
 * every replicated item in every Region (items carry no `aws:rep:*` attributes: versions live here), the
 * deliveries in flight, and the state of every Region (stopped, partitioned).
 */
export class Replicator {
  private readonly tables = new Map<string, TableState>();
  private readonly versions = new Map<string, Slot>();
  /** Deliveries taken from `pending` and being applied. */
  private readonly applying = new Set<Delivery>();
  private readonly sleeps = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private readonly pending: Delivery[] = [];
  private readonly regions: Regions;
  private readonly locks = new KeyLocks();
  /** Writes acknowledged whose deliveries are not queued yet (the read-back is under way). */
  private unqueued = 0;
  private clock = 0;
  private pumping = false;
  private pumpAgain = false;
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly engine: EngineLink,
    private readonly homeRegion: string,
    public lagMs: number,
    public roundTripMs: number,
  ) {
    this.regions = new Regions(homeRegion);
  }

  /** Registers a global table: its writes replicate from now on. */
  public register(registration: GlobalTableRegistration): void {
    const keyNames = [...registration.keySchema]
      .sort((a, b) => (a.KeyType === b.KeyType ? 0 : a.KeyType === 'HASH' ? -1 : 1))
      .map((k) => k.AttributeName);
    this.tables.set(registration.tableName, {
      registration,
      keyNames,
      delivered: 0,
      conflicts: 0,
      failed: 0,
      lost: new Set(),
      lags: [],
    });
    this.regions.add([...registration.regions, ...(registration.witness ? [registration.witness] : [])]);
  }

  /** Whether any table is registered (when none is, the router inspects nothing). */
  public get active(): boolean {
    return this.tables.size > 0;
  }

  /** The registration of a table replicated in `region`, or undefined. */
  public table(tableName: unknown, region: string): GlobalTableRegistration | undefined {
    if (typeof tableName !== 'string') return undefined;
    const registration = this.tables.get(tableName)?.registration;
    return registration?.regions.includes(region) ? registration : undefined;
  }

  /** The key attributes of an item of a registered table. */
  public keyOf(tableName: string, item: AttributeMap): AttributeMap {
    const names = this.tables.get(tableName)?.keyNames ?? [];
    return Object.fromEntries(names.map((n) => [n, item[n]]));
  }

  /**
   * A key's identity within its table: the key attributes by name, numbers canonical (`{"N":"1.0"}` and
   * `{"N":"1"}` are one key, as in DynamoDB).
   */
  public keyId(tableName: string, key: AttributeMap): string {
    const names = [...(this.tables.get(tableName)?.keyNames ?? [])].sort();
    return JSON.stringify(names.map((n) => [n, canonicalValue(key[n])]));
  }

  /** Makes Regions known before a table naming them registers (its replicas are created first). */
  public addRegions(regions: readonly string[]): void {
    this.regions.add(regions);
  }

  public knownRegion(region: string): boolean {
    return this.regions.known(region);
  }

  public regionState(region: string): RegionState {
    return this.regions.state(region);
  }

  public stopped(region: string): boolean {
    return this.regions.stopped(region);
  }

  /** Whether `from` can reach `to`: both up and neither partitioned. */
  public reachable(from: string, to: string): boolean {
    return this.regions.reachable(from, to);
  }

  /** Whether an MRSC write or strongly consistent read in `region` has a quorum: another member it reaches. */
  public quorum(registration: GlobalTableRegistration, region: string): boolean {
    const members = [...registration.regions, ...(registration.witness ? [registration.witness] : [])];
    return members.some((m) => m !== region && this.reachable(region, m));
  }

  /** Applies a control action to a Region; held deliveries that can now go are sent. */
  public setRegion(region: string, action: RegionAction): RegionState {
    const state = this.regions.set(region, action);
    this.pump();
    return state;
  }

  /**
   * Applies now, in order, every delivery of an MRSC table owed to `region` that can go (after a start or
   * heal: its strongly consistent reads and conditions must not see stale state), and waits for those being
   * applied. A delivery that fails stays pending, retried later.
   */
  public async drainStrong(region: string): Promise<void> {
    const owed = (d: Delivery) => d.target === region && d.table.registration.mode === 'strong';
    for (const delivery of this.pending.filter((d) => owed(d) && !d.claimed && !this.blocked(d))) {
      if (this.closed) return;
      const at = this.pending.indexOf(delivery);
      if (at < 0) continue;
      this.pending.splice(at, 1);
      await this.deliver(delivery);
    }
    while (!this.closed && [...this.applying].some(owed)) await this.sleep(5);
  }

  /** The next version: strictly increasing, close to the wall clock in microseconds. */
  public tick(): number {
    this.clock = Math.max(Date.now() * 1000, this.clock + 1);
    return this.clock;
  }

  /**
   * Runs `fn` holding the locks of the given items in `region`, taken in one order so that two requests
   * naming the same items cannot wait for each other.
   */
  public async withLocks<T>(region: string, items: readonly WrittenItem[], fn: () => Promise<T>): Promise<T> {
    const names = items.map((i) => `${region}\u0000${i.tableName}\u0000${this.keyId(i.tableName, i.key)}`);
    return this.locks.run(names, fn);
  }

  /** Marks a write acknowledged whose deliveries are still to be queued (settle waits for it). */
  public beginWrite(): () => void {
    this.unqueued += 1;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.unqueued -= 1;
    };
  }

  /** Versions each written item, in order: called as the engine acknowledges the write. */
  public stamp(items: readonly WrittenItem[]): VersionedItem[] {
    return items.map((item) => ({ ...item, version: this.tick() }));
  }

  /**
   * Reads each written item back from `region` (the full image; absent: a delete) and queues its delivery
   * to every other replica after `delayMs`. Runs under the items' locks, so the image is the version's.
   */
  public async replicate(
    region: string,
    items: readonly VersionedItem[],
    ackedAt: number,
    delayMs: number,
    claimed = false,
  ): Promise<readonly Delivery[]> {
    const queued: Delivery[] = [];
    try {
      // The source's versions first: an older delivery must not overwrite an acknowledged write even when
      // its read-back fails.
      for (const item of items) {
        const keyId = this.keyId(item.tableName, item.key);
        this.raise(`${region}\u0000${item.tableName}\u0000${keyId}`, {
          version: item.version,
          source: region,
        });
      }
      for (const item of items) {
        const table = this.tables.get(item.tableName);
        if (!table) continue;
        const targets = table.registration.regions.filter((t) => t !== region);
        let Item: AttributeMap | undefined;
        try {
          Item = await this.readBack(region, item);
        } catch (error: unknown) {
          table.failed += targets.length;
          throw error;
        }
        const keyId = this.keyId(item.tableName, item.key);
        for (const target of targets) {
          const delivery: Delivery = {
            table,
            keyId,
            key: item.key,
            image: Item,
            version: item.version,
            source: region,
            target,
            ackedAt,
            dueAt: ackedAt + delayMs,
            attempts: 0,
            claimed,
          };
          this.pending.push(delivery);
          queued.push(delivery);
        }
      }
    } finally {
      this.pump();
    }
    return queued;
  }

  /** The item as it is in `region` (absent: a delete), retried a few times when the engine fails. */
  private async readBack(region: string, item: VersionedItem): Promise<AttributeMap | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        const { Item } = await this.engine.call<{ Item?: AttributeMap }>(region, 'GetItem', {
          TableName: item.tableName,
          Key: item.key,
          ConsistentRead: true,
        });
        return Item;
      } catch (error: unknown) {
        if (attempt >= READ_BACK_ATTEMPTS || this.closed) throw error;
        await this.sleep(RETRY_BASE_MS * attempt);
      }
    }
  }

  /** Sets a version slot, never back to an older version. */
  private raise(slot: string, next: Slot): void {
    const current = this.versions.get(slot);
    if (current === undefined || current.version < next.version) this.versions.set(slot, next);
  }

  /**
   * Reads each written item back, versions it and applies it at once to every replica `region` reaches
   * (MRSC); the deliveries to the others are held, in order, until they can go.
   */
  /**
   * Reads each written item back, versions it and applies it at once to every replica `region` reaches
   * (MRSC), each under the target's lock; the deliveries to the others are held, in order, until they can
   * go. Resolves with whether every item reached another member: the witness (reachable) or a replica that
   * applied it.
   */
  public async replicateNow(region: string, items: readonly VersionedItem[]): Promise<boolean> {
    // Claimed: the pump must not take them while they are applied here.
    const deliveries = await this.replicate(region, items, Date.now(), 0, true);
    const reached = new Set<string>();
    try {
      for (const delivery of deliveries) {
        if (this.blocked(delivery)) continue;
        const at = this.pending.indexOf(delivery);
        if (at < 0) continue;
        this.pending.splice(at, 1);
        if (await this.deliver(delivery))
          reached.add(`${delivery.table.registration.tableName}\u0000${delivery.keyId}`);
      }
    } finally {
      for (const delivery of deliveries) delivery.claimed = false;
      this.pump();
    }
    return items.every((item) => {
      const witness = this.tables.get(item.tableName)?.registration.witness;
      if (witness !== undefined && this.reachable(region, witness)) return true;
      return reached.has(`${item.tableName}\u0000${this.keyId(item.tableName, item.key)}`);
    });
  }

  /**
   * Held: MREC, by a stopped or partitioned Region at either end (what a Region acknowledged and could not
   * send out yet is the RPO); MRSC, only by an unreachable target (the write is durable elsewhere already).
   */
  private blocked(d: Delivery): boolean {
    if (d.table.registration.mode === 'strong') return !this.reachable(d.target, d.target);
    return !this.reachable(d.source, d.target);
  }

  /**
   * Applies a delivery taken from `pending` under its target's lock; one that fails goes back to `pending`
   * after a backoff, or is counted as failed after {@link MAX_ATTEMPTS}. Resolves with whether it applied.
   */
  private async deliver(delivery: Delivery): Promise<boolean> {
    this.applying.add(delivery);
    try {
      await this.withLocks(
        delivery.target,
        [{ tableName: delivery.table.registration.tableName, key: delivery.key }],
        () => this.apply(delivery),
      );
      return true;
    } catch {
      // The engine refused the image or could not be reached (the supervisor reports an engine that exited).
      delivery.attempts += 1;
      if (delivery.attempts >= MAX_ATTEMPTS || this.closed) {
        delivery.table.failed += 1;
      } else {
        delivery.dueAt = Date.now() + RETRY_BASE_MS * 2 ** (delivery.attempts - 1);
        this.pending.push(delivery);
      }
      return false;
    } finally {
      this.applying.delete(delivery);
    }
  }

  /** Applies every due, deliverable delivery in order; then waits for the next one to fall due. */
  private pump(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void (async () => {
      try {
        do {
          this.pumpAgain = false;
          for (const delivery of [...this.pending]) {
            if (this.closed) return;
            if (delivery.claimed || delivery.dueAt > Date.now() || this.blocked(delivery)) continue;
            const at = this.pending.indexOf(delivery);
            if (at < 0) continue;
            this.pending.splice(at, 1);
            await this.deliver(delivery);
          }
        } while (this.mustPumpAgain());
      } finally {
        this.pumping = false;
        this.schedule();
      }
    })();
  }

  /** A delivery was queued or a Region changed while the pump ran. */
  private mustPumpAgain(): boolean {
    return this.pumpAgain && !this.closed;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const due = this.pending.filter((d) => !d.claimed && !this.blocked(d)).map((d) => d.dueAt);
    if (due.length === 0 || this.closed) return;
    this.timer = setTimeout(
      () => {
        this.pump();
      },
      Math.max(0, Math.min(...due) - Date.now()),
    );
    this.timer.unref();
  }

  /**
   * Last writer wins: applies the image only over an older version of the item in the target (checked under
   * the target's lock, which the caller holds). A delivery beaten by a write of another Region is a
   * conflict; one beaten by a later write of its own Region is merely superseded. Throws when the engine
   * fails.
   */
  private async apply(d: Delivery): Promise<void> {
    const name = d.table.registration.tableName;
    const slot = `${d.target}\u0000${name}\u0000${d.keyId}`;
    const current = this.versions.get(slot);
    if (current !== undefined && current.version >= d.version) {
      if (current.source !== d.source && !d.table.lost.has(d.version)) {
        d.table.lost.add(d.version);
        d.table.conflicts += 1;
      }
      return;
    }
    if (d.image) await this.engine.call(d.target, 'PutItem', { TableName: name, Item: d.image });
    else await this.engine.call(d.target, 'DeleteItem', { TableName: name, Key: d.key });
    this.raise(slot, { version: d.version, source: d.source });
    d.table.delivered += 1;
    d.table.lags.push(Date.now() - d.ackedAt);
    if (d.table.lags.length > LAG_SAMPLES) d.table.lags.shift();
  }

  /** How many deliveries can go now or once due, and how many are held by a Region. */
  public backlog(): { deliverable: number; blocked: number } {
    const blocked = this.pending.filter((d) => this.blocked(d)).length;
    return {
      deliverable:
        this.pending.length - blocked + this.unqueued + this.applying.size + (this.pumping ? 1 : 0),
      blocked,
    };
  }

  /** Resolves once every deliverable delivery is applied; rejects with the backlog after `timeoutMs`. */
  public async settle(
    timeoutMs: number,
  ): Promise<{ settled: boolean; pending: number; blocked: number; closed?: boolean }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { deliverable, blocked } = this.backlog();
      if (deliverable === 0) return { settled: true, pending: 0, blocked };
      if (this.closed) return { settled: false, pending: deliverable, blocked, closed: true };
      if (Date.now() >= deadline) return { settled: false, pending: deliverable, blocked };
      await this.sleep(5);
    }
  }

  /** Waits `ms` (unref'd); close() ends every wait at once. */
  public async sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.closed) return;
    await new Promise<void>((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.sleeps.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      entry.timer.unref();
      this.sleeps.add(entry);
    });
  }

  /** Whether {@link close} was called. */
  public get isClosed(): boolean {
    return this.closed;
  }

  /** The document the controls answer. */
  public document(): ReplicationDocument {
    return {
      lagMs: this.lagMs,
      roundTripMs: this.roundTripMs,
      regions: this.regions.all(),
      tables: [...this.tables.values()].map((t) => ({
        tableName: t.registration.tableName,
        mode: t.registration.mode,
        regions: t.registration.regions,
        ...(t.registration.witness ? { witness: t.registration.witness } : {}),
        pending: this.pending.filter((d) => d.table === t).length,
        delivered: t.delivered,
        conflicts: t.conflicts,
        failed: t.failed,
        lag: lagStats(t.lags),
      })),
    };
  }

  /** The home Region: the one handlers are served in. */
  public get home(): string {
    return this.homeRegion;
  }

  public close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const entry of this.sleeps) {
      clearTimeout(entry.timer);
      entry.resolve();
    }
    this.sleeps.clear();
  }
}

function lagStats(samples: readonly number[]): TableReplication['lag'] {
  if (samples.length === 0) return { count: 0, p50: 0, p95: 0, max: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
  return { count: sorted.length, p50: rank(0.5), p95: rank(0.95), max: sorted[sorted.length - 1] ?? 0 };
}
