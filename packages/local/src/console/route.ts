import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LambdaHost } from '../services/lambda/host.js';

/** Where the gateway serves the local console: `<base-url>/_console` and everything under it. */
export const CONSOLE_PATH = '/_console';

/** Answers one request under {@link CONSOLE_PATH}. */
export type ConsoleHandler = (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<void>;

/**
 * The console of each runtime, by the runtime's Lambda host: the gateway has the host, and one process may
 * run several runtimes (tests do), so a module-wide handler would answer for the wrong one.
 */
const consoles = new WeakMap<LambdaHost, ConsoleHandler>();

/** Makes `handler` the console of the runtime whose Lambda host is `host`. */
export function attachConsole(host: LambdaHost, handler: ConsoleHandler): void {
  consoles.set(host, handler);
}

/** Removes the console of the runtime whose Lambda host is `host`. */
export function detachConsole(host: LambdaHost): void {
  consoles.delete(host);
}

/** The console of the runtime whose Lambda host is `host`, when it has one. */
export function consoleOf(host: LambdaHost): ConsoleHandler | undefined {
  return consoles.get(host);
}

/** Whether a request path is the console's. */
export function isConsolePath(pathname: string): boolean {
  return pathname === CONSOLE_PATH || pathname.startsWith(`${CONSOLE_PATH}/`);
}
