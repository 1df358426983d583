/** A usage plan's quota: how many requests each of its keys may make in a calendar period. */

/** A usage plan's quota per key: `limit` requests per UTC calendar day, week (from Monday) or month. */
export class Quota {
  private readonly counts = new Map<string, { period: string; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly period: 'DAY' | 'WEEK' | 'MONTH',
  ) {}

  /** Counts one request of `key`; false when the key is over its quota for the current period. */
  public take(key: string, now = new Date()): boolean {
    const period = this.periodOf(now);
    const entry = this.counts.get(key);
    const count = entry?.period === period ? entry.count : 0;
    if (count >= this.limit) return false;
    this.counts.set(key, { period, count: count + 1 });
    return true;
  }

  /** Requests of `key` counted in the current period (read-only: for the local console). */
  public used(key: string, now = new Date()): number {
    const entry = this.counts.get(key);
    return entry?.period === this.periodOf(now) ? entry.count : 0;
  }

  private periodOf(d: Date): string {
    if (this.period === 'MONTH') return d.toISOString().slice(0, 7);
    if (this.period === 'DAY') return d.toISOString().slice(0, 10);
    const monday = new Date(
      Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - ((d.getUTCDay() + 6) % 7)),
    );
    return monday.toISOString().slice(0, 10);
  }
}
