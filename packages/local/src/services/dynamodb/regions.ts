import type { RegionState } from './replication-types.js';

/** What the controls can do to a Region. */
export type RegionAction = 'stop' | 'start' | 'partition' | 'heal';

/**
 * The Regions the router knows (the home Region, every registered table's replicas and witness) and what
 * the controls made of each: stopped (it answers 503) and partitioned (it replicates nothing in or out).
 */
export class Regions {
  private readonly states = new Map<string, { stopped: boolean; partitioned: boolean }>();

  constructor(home: string) {
    this.add([home]);
  }

  public add(regions: readonly string[]): void {
    for (const region of regions) {
      if (!this.states.has(region)) this.states.set(region, { stopped: false, partitioned: false });
    }
  }

  public known(region: string): boolean {
    return this.states.has(region);
  }

  public stopped(region: string): boolean {
    return this.states.get(region)?.stopped ?? false;
  }

  /** Whether `from` can reach `to`: both up and neither partitioned. */
  public reachable(from: string, to: string): boolean {
    const a = this.states.get(from);
    const b = this.states.get(to);
    return !a?.stopped && !b?.stopped && !a?.partitioned && !b?.partitioned;
  }

  /** Applies an action to a known Region; returns its new state. */
  public set(region: string, action: RegionAction): RegionState {
    const state = this.states.get(region);
    if (!state) throw new Error(`unknown Region ${region}`);
    if (action === 'stop') state.stopped = true;
    if (action === 'start') state.stopped = false;
    if (action === 'partition') state.partitioned = true;
    if (action === 'heal') state.partitioned = false;
    return this.state(region);
  }

  public state(region: string): RegionState {
    const state = this.states.get(region) ?? { stopped: false, partitioned: false };
    return { region, state: state.stopped ? 'stopped' : 'up', partitioned: state.partitioned };
  }

  /** Every known Region, by name. */
  public all(): RegionState[] {
    return [...this.states.keys()].sort().map((r) => this.state(r));
  }
}
