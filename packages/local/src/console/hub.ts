import type { ServerResponse } from 'node:http';
import type { InvocationRecord } from '../services/lambda/host.js';
import type { ExecutionSummary } from './executions.js';
import type { Badge, ConsoleModel } from './model.js';

/** How often the hub looks at the engines while a page is connected. */
export const POLL_INTERVAL_MS = 1000;
/** A comment line this often keeps proxies and the browser from closing an idle stream. */
const HEARTBEAT_MS = 15_000;

/**
 * The console's server-sent events (`GET /_console/events`): `badges` (the live numbers of the nodes that
 * changed), `execution` (an execution that started or moved on), `invocation` (a Lambda invocation that
 * ended). The engines are polled every second only while a page is connected; invocations are pushed as
 * they end.
 */
export class EventHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly sentBadges = new Map<string, string>();
  private readonly sentExecutions = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  /** Another tick was asked for while one ran. */
  private again = false;
  private unsubscribe?: () => void;
  private lastFailure?: string;

  constructor(
    private readonly model: ConsoleModel,
    private readonly report: (line: string) => void,
  ) {}

  /** Streams events to a page until it disconnects; the first event is every badge as it is now. */
  public connect(res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Content-Type-Options': 'nosniff',
    });
    res.write('retry: 1000\n\n');
    this.clients.add(res);
    res.on('close', () => {
      this.clients.delete(res);
      if (this.clients.size === 0) this.idle();
    });
    if (this.clients.size === 1) this.wake();
    else void this.sendSnapshot(res);
  }

  /** Looks at the engines now (after an action), rather than at the next tick. */
  public poke(): void {
    if (this.clients.size > 0) void this.tick();
  }

  /** Ends every stream and stops polling. */
  public close(): void {
    for (const res of this.clients) res.end();
    this.clients.clear();
    this.idle();
  }

  private wake(): void {
    this.sentBadges.clear();
    this.sentExecutions.clear();
    for (const e of this.model.allExecutions()) this.sentExecutions.set(e.executionArn, key(e));
    this.unsubscribe = this.model.host.onInvocation((record) => {
      this.broadcast('invocation', invocationEvent(record));
      // An invocation ending often changes a queue or table: look now.
      void this.tick();
    });
    this.timer = setInterval(() => void this.tick(), POLL_INTERVAL_MS);
    this.timer.unref();
    this.heartbeat = setInterval(() => {
      for (const res of this.clients) res.write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
    void this.tick();
  }

  private idle(): void {
    clearInterval(this.timer);
    clearInterval(this.heartbeat);
    this.timer = undefined;
    this.heartbeat = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private async sendSnapshot(res: ServerResponse): Promise<void> {
    try {
      const badges = await this.model.badges();
      write(res, 'badges', badges);
    } catch (error: unknown) {
      this.failed(error);
    }
  }

  /** One look at the engines; ticks asked for while one runs fold into one more. */
  private async tick(): Promise<void> {
    if (this.ticking) {
      this.again = true;
      return this.ticking;
    }
    this.ticking = (async () => {
      do {
        this.again = false;
        try {
          await this.look();
        } catch (error: unknown) {
          this.failed(error);
        }
      } while (this.askedAgain());
    })();
    try {
      await this.ticking;
    } finally {
      this.ticking = undefined;
    }
  }

  /** Whether a tick was asked for during the last look, with a page still connected. */
  private askedAgain(): boolean {
    return this.again && this.clients.size > 0;
  }

  private async look(): Promise<void> {
    const changed: Record<string, Badge> = {};
    for (const [id, badge] of Object.entries(await this.model.badges())) {
      const text = JSON.stringify(badge);
      if (this.sentBadges.get(id) === text) continue;
      this.sentBadges.set(id, text);
      changed[id] = badge;
    }
    this.lastFailure = undefined;
    if (Object.keys(changed).length > 0) this.broadcast('badges', changed);
    for (const e of this.model.allExecutions()) {
      const k = key(e);
      if (this.sentExecutions.get(e.executionArn) === k) continue;
      this.sentExecutions.set(e.executionArn, k);
      this.broadcast('execution', e);
    }
  }

  private broadcast(event: string, data: unknown): void {
    for (const res of this.clients) write(res, event, data);
  }

  /** Reports a failed look once, not once a second while an engine is down. */
  private failed(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (message === this.lastFailure) return;
    this.lastFailure = message;
    this.report(`[console] live update failed: ${message}`);
  }
}

const key = (e: ExecutionSummary) => `${e.status}:${e.events}`;

/** An invocation as the page lists it (its logs are fetched with the function's detail). */
function invocationEvent(r: InvocationRecord) {
  return {
    functionName: r.functionName,
    requestId: r.requestId,
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    outcome: r.outcome,
    coldStart: r.coldStart,
    ...(r.error !== undefined ? { error: r.error } : {}),
  };
}

function write(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}
