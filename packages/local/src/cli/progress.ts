/**
 * The start-up display of `conflux local`: one line per phase (synth, bundles, engines, resources). On a
 * terminal the running phase's line is redrawn in place; elsewhere (CI logs, pipes) each phase prints one
 * line when it ends, so a log stays short.
 */

/** Where the display writes. */
export interface ProgressOutput {
  write(text: string): void;
  /** Whether it is a terminal, where a line can be redrawn. */
  readonly isTTY: boolean;
}

/** The phases of a start, in order. */
export const PHASES = ['synth', 'bundles', 'engines', 'resources'] as const;
export type Phase = (typeof PHASES)[number];

/** One start's phases: begin one, say where it is, end it; the last one ends with {@link StartProgress.done}. */
export class StartProgress {
  private current: { phase: Phase; started: number; detail: string } | undefined;
  private drawn = false;

  constructor(private readonly out: ProgressOutput) {}

  /** Starts `phase`, ending the one before. */
  public begin(phase: Phase, detail = ''): void {
    this.end();
    this.current = { phase, started: performance.now(), detail };
    this.draw();
  }

  /** What the running phase is at, e.g. `12 bundled`. */
  public update(detail: string): void {
    if (!this.current) return;
    this.current.detail = detail;
    this.draw();
  }

  /** Ends the running phase with what it came to, e.g. `45 functions`. */
  public end(result?: string): void {
    const current = this.current;
    if (!current) return;
    if (result !== undefined) current.detail = result;
    const seconds = ((performance.now() - current.started) / 1000).toFixed(1);
    this.out.write(`${this.clear()}${this.label(current.phase)} ${current.detail} (${seconds} s)\n`);
    this.drawn = false;
    this.current = undefined;
  }

  /** Writes a line of its own (a warning, a notice) above the running phase. */
  public note(line: string): void {
    this.out.write(`${this.clear()}${line}\n`);
    this.drawn = false;
    this.draw();
  }

  private draw(): void {
    if (!this.out.isTTY || !this.current) return;
    this.out.write(`${this.clear()}${this.label(this.current.phase)} ${this.current.detail} …`);
    this.drawn = true;
  }

  private clear(): string {
    return this.drawn ? '\r\u001b[2K' : '';
  }

  private label(phase: Phase): string {
    return `[${String(PHASES.indexOf(phase) + 1)}/${String(PHASES.length)}] ${phase.padEnd(9)}`;
  }
}
