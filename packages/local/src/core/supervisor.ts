import type { EngineHealth, RuntimeHealth } from '../services/apigateway/types.js';

/** How a child process ended, as its `exit` event reports it. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** `signal SIGKILL` or `code 1`, as health reports and log lines say it. */
export function describeExit(exit: ProcessExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${String(exit.code)}`;
}

/** An engine that ended while the runtime was running. */
export interface EngineExit {
  /** The engine's name in health reports, e.g. `dynamodb`. */
  readonly engine: string;
  readonly pid?: number;
  /** `signal SIGKILL` or `code 1`. */
  readonly exitStatus: string;
  /** One sentence for people: what ended, how, what was lost. */
  readonly message: string;
}

/** An engine that runs as a child process. */
export interface WatchedProcess {
  /** How people call it, e.g. `DynamoDB Local`. */
  readonly label: string;
  /** What is gone with it, e.g. `the runtime's tables`. */
  readonly loses: string;
  readonly pid?: number;
  /** Settles when the process exits, for whatever reason. */
  readonly exited: Promise<ProcessExit>;
}

/**
 * Knows the state of every engine of a runtime. In-process engines run for as long as the runtime does; a
 * child process that exits while the runtime is not stopping makes the runtime unavailable: it logs one
 * line, the gateway answers 503 from then on, and the listeners are told once.
 */
export class Supervisor implements RuntimeHealth {
  private readonly states = new Map<string, EngineHealth>();
  private readonly listeners: ((exit: EngineExit) => void)[] = [];
  private exit?: EngineExit;
  private stopping = false;

  /** @param log told the one line about an unexpected exit */
  constructor(private readonly log: (line: string) => void) {}

  /** Reports an engine that runs inside this process as running. */
  public inProcess(engine: string): void {
    this.states.set(engine, { state: 'running' });
  }

  /** Watches an engine's child process until the runtime stops. */
  public watch(engine: string, child: WatchedProcess): void {
    this.states.set(engine, { state: 'running', pid: child.pid });
    void child.exited.then((exit) => {
      this.exited(engine, child, exit);
    });
  }

  /** From now on, exits are expected: the runtime is stopping its engines. */
  public stop(): void {
    this.stopping = true;
  }

  /** Calls `listener` once, when the first engine exits unexpectedly (at once if one has). */
  public onExit(listener: (exit: EngineExit) => void): void {
    const exit = this.exit;
    if (exit)
      queueMicrotask(() => {
        listener(exit);
      });
    else this.listeners.push(listener);
  }

  public engines(): Readonly<Record<string, EngineHealth>> {
    return Object.fromEntries(this.states);
  }

  public unavailable(): string | undefined {
    return this.exit?.message;
  }

  private exited(engine: string, child: WatchedProcess, exit: ProcessExit): void {
    const exitStatus = describeExit(exit);
    this.states.set(engine, { state: 'exited', pid: child.pid, exitStatus });
    if (this.stopping || this.exit) return;
    const message = `${child.label} exited (${exitStatus}); ${child.loses} are lost. Restart \`npm start\`.`;
    this.exit = { engine, pid: child.pid, exitStatus, message };
    this.log(
      `${child.label} (pid ${String(child.pid)}) exited unexpectedly (${exitStatus}); ${child.loses} were in its memory and are lost. Restart \`npm start\`.`,
    );
    for (const listener of this.listeners.splice(0)) listener(this.exit);
  }
}
