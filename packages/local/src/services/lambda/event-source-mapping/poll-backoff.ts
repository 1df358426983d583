import { setTimeout as delay } from 'node:timers/promises';

/** The longest wait between polls that fail in a row. */
const MAX_BACKOFF_MS = 10_000;

/**
 * What a poller does when a poll fails: wait twice as long after each failure in a row (up to 10 s, as
 * Lambda backs off), and log a run of failures once — after the wait, so a poller stopped meanwhile (its
 * engine exited) stays quiet. `stop()` cuts a wait short.
 */
export class PollBackoff {
  private failing = false;
  private controller = new AbortController();

  /** @param log writes the one line that starts a run of failures */
  constructor(private readonly log: (line: string) => void) {}

  /** Arms the back-off for a (re)started poller. */
  public start(): void {
    this.controller = new AbortController();
  }

  /** Ends every wait at once. */
  public stop(): void {
    this.controller.abort();
  }

  /** A poll succeeded: the next failure starts a new run, and is logged. */
  public succeeded(): void {
    this.failing = false;
  }

  /**
   * Waits after the `failures`-th failure in a row (`baseMs` doubled each time), then logs `what` if it
   * starts a run and `running()` still holds.
   */
  public async failed(what: string, failures: number, baseMs: number, running: () => boolean): Promise<void> {
    await delay(Math.min(MAX_BACKOFF_MS, baseMs * 2 ** (failures - 1)), undefined, {
      signal: this.controller.signal,
    }).catch(() => undefined);
    if (!running() || this.failing) return;
    this.failing = true;
    this.log(what);
  }
}
