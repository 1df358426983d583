/** Where progress is drawn: a terminal gets a redrawn bar, anything else a line every 10 %. */
export interface ProgressSink {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * A small progress bar for command-line tools. `total` may grow while it runs (SQS counts are approximate).
 */
export class ProgressBar {
  private lastDecile = -1;

  constructor(
    private readonly label: string,
    private total: number,
    private readonly sink: ProgressSink = process.stderr,
    private readonly width = 30,
  ) {}

  /** Draws the bar at `done` of the total. */
  public update(done: number, total = this.total): void {
    this.total = Math.max(total, done);
    const ratio = this.total === 0 ? 1 : done / this.total;
    if (this.sink.isTTY) {
      const filled = Math.round(ratio * this.width);
      this.sink.write(
        `\r${this.label} [${'#'.repeat(filled)}${'-'.repeat(this.width - filled)}] ${done}/${this.total}`,
      );
      return;
    }
    const decile = Math.floor(ratio * 10);
    if (decile > this.lastDecile) {
      this.lastDecile = decile;
      this.sink.write(`${this.label} ${done}/${this.total}\n`);
    }
  }

  /** Ends the bar's line. */
  public finish(): void {
    if (this.sink.isTTY) this.sink.write('\n');
  }
}
