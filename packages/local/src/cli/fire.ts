/**
 * `conflux fire <rule>`: fires a scheduled EventBridge rule of the app that `conflux local` runs from this
 * folder now, as its schedule would (the scheduled event, every target). It finds the running runtime's
 * EventBridge endpoint in `.conflux/local.json`; `conflux fire` alone lists the rules and their next firing.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CliIo } from './cli.js';

/** What `conflux fire` reads of `.conflux/local.json`. */
interface LocalState {
  readonly endpoints?: Readonly<Record<string, string>>;
}

/** Runs `conflux fire [<rule>]`; resolves with the exit code (0 fired or listed, 1 otherwise). */
export async function fire(args: readonly string[], io: CliIo): Promise<number> {
  const [rule, ...rest] = args;
  if (rest.length > 0 || rule?.startsWith('-')) {
    io.stderr('usage: conflux fire [<rule name or ARN>]\n');
    return 1;
  }
  const stateFile = path.join(io.cwd, '.conflux', 'local.json');
  if (!existsSync(stateFile)) {
    io.stderr(`conflux fire: no .conflux/local.json in ${io.cwd}: start the app with conflux local first\n`);
    return 1;
  }
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as LocalState;
  const events = state.endpoints?.events;
  if (!events) {
    io.stderr('conflux fire: the running app has no EventBridge endpoint\n');
    return 1;
  }
  const url =
    rule === undefined
      ? `${events}/_conflux/rules`
      : `${events}/_conflux/rules/${encodeURIComponent(rule)}/fire`;
  let response: Response;
  try {
    response = await fetch(url, { method: rule === undefined ? 'GET' : 'POST' });
  } catch {
    io.stderr(`conflux fire: the runtime at ${events} does not answer: is conflux local still running?\n`);
    return 1;
  }
  const text = await response.text();
  if (response.ok) io.stdout(`${text.trimEnd()}\n`);
  else io.stderr(`conflux fire: ${text.trimEnd()}\n`);
  return response.ok ? 0 : 1;
}
