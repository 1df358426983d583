/**
 * Locks by name, each a queue of promises: `run` holds several at once, taken in one order so that two
 * callers naming the same locks cannot wait for each other.
 */
export class KeyLocks {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `fn` holding every lock of `names`. */
  public async run<T>(names: readonly string[], fn: () => Promise<T>): Promise<T> {
    const releases: (() => void)[] = [];
    try {
      for (const name of [...new Set(names)].sort()) releases.push(await this.take(name));
      return await fn();
    } finally {
      for (const release of releases) release();
    }
  }

  private async take(name: string): Promise<() => void> {
    const previous = this.tails.get(name) ?? Promise.resolve();
    let release = () => {};
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.tails.set(name, tail);
    await previous;
    return () => {
      release();
      if (this.tails.get(name) === tail) this.tails.delete(name);
    };
  }
}
