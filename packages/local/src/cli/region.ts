/**
 * `conflux region`: shows and drives the replication between the Regions of the app that `conflux local`
 * runs from this folder now. It finds the running runtime's DynamoDB endpoint in `.conflux/local.json` and
 * calls its control routes (`/_conflux/replication`, `/_conflux/regions/<region>/<action>`):
 * - `conflux region [--json]`: the Regions (state, partitioned) and the replicated tables (mode, Regions,
 *   pending, delivered, conflicts, lag p50/p95).
 * - `conflux region <region> stop|start|partition|heal`: changes one Region, prints its new state.
 * - `conflux region settle [--timeout <ms>]`: waits until every delivery that can be made is made.
 * - `conflux region lag <ms>` / `conflux region rtt <ms>`: sets the replication lag / the round trip.
 *
 * `--json` prints the runtime's answer instead of a table. Exit 0 when done (or when the app has no
 * replicated table), 1 otherwise, with one line on stderr.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { CliIo } from './cli.js';

const USAGE = `usage: conflux region [--json]
       conflux region <region> stop|start|partition|heal [--json]
       conflux region settle [--timeout <ms>] [--json]
       conflux region lag|rtt <ms> [--json]`;

/** What `conflux region <region> <action>` can do to a Region. */
const ACTIONS = ['stop', 'start', 'partition', 'heal'] as const;
type Action = (typeof ACTIONS)[number];

/** The settings `conflux region lag|rtt <ms>` sets, by the word that names each. */
const SETTINGS = { lag: 'lagMs', rtt: 'roundTripMs' } as const;
type Setting = keyof typeof SETTINGS;

/** How long a control route may take to answer; `settle` waits longer, as long as it was asked to wait. */
const ANSWER_WITHIN_MS = 30_000;

type Command =
  | { readonly kind: 'status' }
  | { readonly kind: 'settle'; readonly timeoutMs?: number }
  | { readonly kind: 'set'; readonly setting: Setting; readonly ms: number }
  | { readonly kind: 'action'; readonly region: string; readonly action: Action };

/** What `conflux region` reads of `.conflux/local.json`. */
interface LocalState {
  readonly endpoints?: Readonly<Record<string, unknown>>;
}

/** Arguments `conflux region` does not take: answered with the usage. */
class RegionUsageError extends Error {
  public override readonly name = 'RegionUsageError';
}

/** Anything else that stops `conflux region`: no runtime, or an answer that is not what it asked for. */
class RegionCommandError extends Error {
  public override readonly name = 'RegionCommandError';
}

/** Runs `conflux region ...` (`args` after `region`); resolves with the exit code (0 done, 1 otherwise). */
export async function region(args: readonly string[], io: CliIo): Promise<number> {
  try {
    const { command, json, help } = parseCommand(args);
    if (help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    const base = dynamodbEndpoint(io.cwd);
    const answer = await send(base, command);
    if (json) io.stdout(`${JSON.stringify(answer, null, 2)}\n`);
    else io.stdout(`${render(command, answer)}\n`);
    return 0;
  } catch (error: unknown) {
    // One line, never a stack: what went wrong is the folder's, the arguments' or the runtime's.
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`conflux region: ${message}\n${error instanceof RegionUsageError ? `${USAGE}\n` : ''}`);
    return 1;
  }
}

function parseCommand(args: readonly string[]): { command: Command; json: boolean; help: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error: unknown) {
    const why = error instanceof Error ? error.message : String(error);
    const unknown = /^Unknown option '([^']+)'/.exec(why)?.[1];
    // parseArgs takes `lag -5` for an option; its own message would suggest `--`.
    if (unknown !== undefined && /^-\d/.test(unknown))
      throw new RegionUsageError(`milliseconds are a whole number; received ${unknown}.`);
    if (unknown !== undefined) throw new RegionUsageError(`${unknown} is not an option of conflux region.`);
    throw new RegionUsageError(why);
  }
  const { values, positionals } = parsed;
  const json = values.json ?? false;
  const help = values.help ?? false;
  const [first, second, ...rest] = positionals;
  if (values.timeout !== undefined && first !== 'settle')
    throw new RegionUsageError('--timeout goes with settle only.');
  if (help || first === undefined) return { command: { kind: 'status' }, json, help };
  if (first === 'settle') {
    if (second !== undefined) throw new RegionUsageError(`settle takes no argument; received ${second}.`);
    const timeoutMs = values.timeout === undefined ? undefined : milliseconds('--timeout', values.timeout);
    return { command: { kind: 'settle', ...(timeoutMs === undefined ? {} : { timeoutMs }) }, json, help };
  }
  if (first === 'lag' || first === 'rtt') {
    if (second === undefined || rest.length > 0)
      throw new RegionUsageError(`${first} takes one number of milliseconds.`);
    return { command: { kind: 'set', setting: first, ms: milliseconds(first, second) }, json, help };
  }
  if (second === undefined)
    throw new RegionUsageError(`say what to do with ${first}: ${ACTIONS.join(', ')}.`);
  if (!isAction(second))
    throw new RegionUsageError(`${second} is not something a Region does (${ACTIONS.join(', ')} are).`);
  if (rest.length > 0) throw new RegionUsageError(`${second} takes no argument; received ${rest.join(' ')}.`);
  return { command: { kind: 'action', region: first, action: second }, json, help };
}

function isAction(word: string): word is Action {
  return (ACTIONS as readonly string[]).includes(word);
}

function milliseconds(what: string, value: string): number {
  if (!/^\d+$/.test(value))
    throw new RegionUsageError(`${what} must be a whole number of milliseconds; received ${value}.`);
  return Number(value);
}

/** The running runtime's DynamoDB endpoint, which serves the replication control routes. */
function dynamodbEndpoint(cwd: string): string {
  const stateFile = path.join(cwd, '.conflux', 'local.json');
  if (!existsSync(stateFile))
    throw new RegionCommandError(`no .conflux/local.json in ${cwd}: start the app with conflux local first`);
  let state: LocalState;
  try {
    state = JSON.parse(readFileSync(stateFile, 'utf8')) as LocalState;
  } catch (error: unknown) {
    const why = error instanceof Error ? error.message : String(error);
    throw new RegionCommandError(
      `cannot read .conflux/local.json in ${cwd} (${why}): start the app with conflux local again`,
    );
  }
  const url = state.endpoints?.dynamodb;
  if (typeof url !== 'string' || url === '')
    throw new RegionCommandError(
      'the app running from this folder has no DynamoDB endpoint in .conflux/local.json, so no table of it is replicated',
    );
  return url.replace(/\/+$/, '');
}

/** Calls the control route of `command`; resolves with its JSON answer. */
async function send(base: string, command: Command): Promise<unknown> {
  switch (command.kind) {
    case 'status':
      return call(base, 'GET', '/_conflux/replication');
    case 'settle': {
      const query = command.timeoutMs === undefined ? '' : `?timeoutMs=${command.timeoutMs}`;
      // With no --timeout the runtime's own bound applies: the wait is left to it.
      const within = command.timeoutMs === undefined ? 'unbounded' : command.timeoutMs + ANSWER_WITHIN_MS;
      return call(base, 'POST', `/_conflux/replication/settle${query}`, { within });
    }
    case 'set':
      return call(base, 'PUT', '/_conflux/replication', {
        body: { [SETTINGS[command.setting]]: command.ms },
      });
    case 'action':
      return call(base, 'POST', `/_conflux/regions/${encodeURIComponent(command.region)}/${command.action}`);
  }
}

async function call(
  base: string,
  method: 'GET' | 'PUT' | 'POST',
  route: string,
  options: { readonly body?: unknown; readonly within?: number | 'unbounded' } = {},
): Promise<unknown> {
  const within = options.within ?? ANSWER_WITHIN_MS;
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${base}${route}`, {
      method,
      ...(options.body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(options.body) }),
      ...(within === 'unbounded' ? {} : { signal: AbortSignal.timeout(within) }),
    });
    text = await response.text();
  } catch (error: unknown) {
    if (errorCodes(error).includes('ECONNREFUSED'))
      throw new RegionCommandError(
        `the runtime in this folder is not running (nothing answers at ${base}): start the app with conflux local`,
      );
    const why =
      error instanceof Error && error.name === 'TimeoutError'
        ? `no answer within ${String(within)} ms`
        : (errorCodes(error)[0] ?? (error instanceof Error ? error.message : String(error)));
    throw new RegionCommandError(`the runtime at ${base} did not answer ${method} ${route} (${why})`);
  }
  const answer = parseJson(text);
  if (!response.ok) {
    // The runtime's errors are `{ code, message }`; anything else is not from its control routes.
    const message = isRecord(answer) && typeof answer.message === 'string' ? answer.message : undefined;
    throw new RegionCommandError(
      message ?? `the runtime answered ${method} ${route} with HTTP ${response.status}: ${excerpt(text)}`,
    );
  }
  if (answer === undefined)
    throw new RegionCommandError(`the runtime answered ${method} ${route} with no JSON: ${excerpt(text)}`);
  return answer;
}

/** The `code`s of a failed `fetch`: undici puts the socket's error in `cause`, several in an AggregateError. */
function errorCodes(error: unknown): string[] {
  if (!(error instanceof Error)) return [];
  const own = 'code' in error && typeof error.code === 'string' ? [error.code] : [];
  const inner = error instanceof AggregateError ? (error.errors as unknown[]) : [];
  return [...own, ...errorCodes(error.cause), ...inner.flatMap(errorCodes)];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line === '') return '(empty body)';
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The short text of an answer: the replication's state, or the Region's. */
function render(command: Command, answer: unknown): string {
  if (!isRecord(answer))
    throw new RegionCommandError(`the runtime answered ${excerpt(JSON.stringify(answer))}`);
  if (command.kind === 'action')
    return `${cell(answer.region)}: ${cell(answer.state)}, ${answer.partitioned === true ? 'partitioned' : 'not partitioned'}`;
  const { regions, tables } = answer;
  if (!Array.isArray(regions) || !Array.isArray(tables))
    throw new RegionCommandError(
      `the runtime answered with no regions or tables: ${excerpt(JSON.stringify(answer))}`,
    );
  const settings = `lag ${cell(answer.lagMs)} ms, round trip ${cell(answer.roundTripMs)} ms`;
  if (command.kind === 'set') return settings;
  const lines: string[] = [];
  if (command.kind === 'settle') lines.push(settled(answer.blocked), '');
  if (tables.length === 0) return [...lines, 'the app in this folder has no replicated table'].join('\n');
  lines.push(settings, '');
  lines.push(
    table(
      ['REGION', 'STATE', 'PARTITIONED'],
      regions
        .filter(isRecord)
        .map((r) => [cell(r.region), cell(r.state), r.partitioned === true ? 'yes' : 'no']),
    ),
    '',
  );
  lines.push(
    table(
      ['TABLE', 'MODE', 'REGIONS', 'PENDING', 'DELIVERED', 'CONFLICTS', 'LAG P50', 'LAG P95'],
      tables.filter(isRecord).map((t) => {
        const lag = isRecord(t.lag) ? t.lag : {};
        const witness = typeof t.witness === 'string' ? ` (witness ${t.witness})` : '';
        return [
          cell(t.tableName),
          cell(t.mode),
          `${cell(t.regions)}${witness}`,
          cell(t.pending),
          cell(t.delivered),
          cell(t.conflicts),
          lagCell(lag, 'p50'),
          lagCell(lag, 'p95'),
        ];
      }),
    ),
  );
  return lines.join('\n');
}

/** The first line after a settle: the deliveries it could not make wait for a stopped or partitioned Region. */
function settled(blocked: unknown): string {
  if (typeof blocked !== 'number' || blocked === 0) return 'settled';
  return `settled; ${blocked} ${blocked === 1 ? 'delivery waits' : 'deliveries wait'} for a stopped or partitioned Region`;
}

function lagCell(lag: Readonly<Record<string, unknown>>, quantile: 'p50' | 'p95'): string {
  const value = lag[quantile];
  // No delivery yet: there is no lag to tell.
  if (lag.count === 0 || typeof value !== 'number') return '-';
  return `${value} ms`;
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(cell).join(', ');
  return JSON.stringify(value);
}

/** Columns of `rows` under `header`, left-aligned, two spaces apart, with no space at the end of a line. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
