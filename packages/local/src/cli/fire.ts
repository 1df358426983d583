/**
 * `conflux fire <name>`: fires a scheduled EventBridge rule or an EventBridge Scheduler schedule of the app
 * that `conflux local` runs from this folder now, as its schedule would. It finds the running runtime's
 * EventBridge and Scheduler endpoints in `.conflux/local.json`; `conflux fire` alone lists the rules and
 * the schedules with their next firing.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CliIo } from './cli.js';

/** What `conflux fire` reads of `.conflux/local.json`. */
interface LocalState {
  readonly endpoints?: Readonly<Record<string, string>>;
}

/** The two kinds of thing that fire on a schedule, and where the runtime serves each. */
const KINDS = {
  rule: { endpoint: 'events', list: 'rules', group: 'eventBusName' },
  schedule: { endpoint: 'scheduler', list: 'schedules', group: 'groupName' },
} as const;
type Kind = keyof typeof KINDS;

/** An answer of the runtime that is not what `conflux fire` asked for. */
class FireCommandError extends Error {
  public override readonly name = 'FireCommandError';
}

/** Runs `conflux fire [<name>]`; resolves with the exit code (0 fired or listed, 1 otherwise). */
export async function fire(args: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  if (rest.length > 0 || name?.startsWith('-')) {
    io.stderr('usage: conflux fire [<rule or schedule: name, <bus|group>/<name> or ARN>]\n');
    return 1;
  }
  const stateFile = path.join(io.cwd, '.conflux', 'local.json');
  if (!existsSync(stateFile)) {
    io.stderr(`conflux fire: no .conflux/local.json in ${io.cwd}: start the app with conflux local first\n`);
    return 1;
  }
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as LocalState;
  const endpoints: Partial<Record<Kind, string>> = {};
  for (const kind of Object.keys(KINDS) as Kind[]) {
    const url = state.endpoints?.[KINDS[kind].endpoint];
    if (url) endpoints[kind] = url;
  }
  if (Object.keys(endpoints).length === 0) {
    io.stderr('conflux fire: the running app has no EventBridge or Scheduler endpoint\n');
    return 1;
  }
  try {
    if (name === undefined) {
      const listed: Record<string, unknown> = {};
      for (const kind of Object.keys(endpoints) as Kind[])
        listed[KINDS[kind].list] = await list(endpoints, kind);
      io.stdout(`${JSON.stringify(listed, null, 2)}\n`);
      return 0;
    }
    const kind = await kindOf(endpoints, name);
    const segment = KINDS[kind].list;
    const response = await call(
      endpoints,
      kind,
      `/_conflux/${segment}/${encodeURIComponent(name)}/fire`,
      'POST',
    );
    const text = await response.text();
    if (response.ok) io.stdout(`${text.trimEnd()}\n`);
    else io.stderr(`conflux fire: ${text.trimEnd()}\n`);
    return response.ok ? 0 : 1;
  } catch (error: unknown) {
    if (!(error instanceof FireCommandError)) throw error;
    io.stderr(`conflux fire: ${error.message}\n`);
    return 1;
  }
}

/** Which kind a name fires: by the service of an ARN, else by which listing has it (a rule when neither). */
async function kindOf(endpoints: Partial<Record<Kind, string>>, name: string): Promise<Kind> {
  const service = /^arn:[^:]+:([^:]+):/.exec(name)?.[1];
  if (service === 'scheduler') return 'schedule';
  if (service !== undefined) return 'rule';
  const matches: Kind[] = [];
  for (const kind of Object.keys(endpoints) as Kind[]) {
    const group = KINDS[kind].group;
    const items = (await list(endpoints, kind)) as Record<string, unknown>[];
    if (items.some((i) => i.name === name || `${String(i[group])}/${String(i.name)}` === name))
      matches.push(kind);
  }
  if (matches.length > 1) {
    throw new FireCommandError(`${name} names both a rule and a schedule; name it by ARN`);
  }
  const [kind] = matches;
  if (kind) return kind;
  if (endpoints.rule === undefined) return 'schedule';
  if (endpoints.schedule === undefined) return 'rule';
  throw new FireCommandError(`no rule or schedule ${name} in the application`);
}

async function list(endpoints: Partial<Record<Kind, string>>, kind: Kind): Promise<unknown[]> {
  const response = await call(endpoints, kind, `/_conflux/${KINDS[kind].list}`, 'GET');
  const body = (await response.json()) as Record<string, unknown[] | undefined>;
  return body[KINDS[kind].list] ?? [];
}

async function call(
  endpoints: Partial<Record<Kind, string>>,
  kind: Kind,
  route: string,
  method: 'GET' | 'POST',
): Promise<Response> {
  const base = endpoints[kind];
  if (base === undefined)
    throw new FireCommandError(`the running app has no ${KINDS[kind].endpoint} endpoint`);
  try {
    return await fetch(`${base}${route}`, { method });
  } catch {
    throw new FireCommandError(`the runtime at ${base} does not answer: is conflux local still running?`);
  }
}
