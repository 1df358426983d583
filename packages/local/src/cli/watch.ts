/**
 * `conflux local --watch`: hot reload. A saved file that a function's bundle was built from rebuilds that
 * bundle alone with esbuild (the options the synth used, from the bundle records the app's bundler writes
 * when `CONFLUX_BUNDLE_LOG` is set) and swaps the code of the functions running it, with no restart: the
 * engines, their data and the other functions' warm workers stay. Any other source of the app (as
 * `cdk.json` `watch` selects them) synthesizes the app again in the background and compares the templates:
 * functions whose code changed are swapped; every other change is listed as needing a restart.
 */
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  watch,
  writeFileSync,
} from 'node:fs';
import type { FSWatcher } from 'node:fs';
import * as path from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import type { AssemblyStack, CfnResource } from '../core/cloud-assembly.js';
import type { FunctionSpec, LambdaHost } from '../services/lambda/host.js';

/** The environment variable the app's bundler reads: where it writes a {@link BundleRecord} per bundle. */
export const BUNDLE_LOG_ENV = 'CONFLUX_BUNDLE_LOG';

/** How one bundle was built, as `@conflux/constructs`' bundler records it. */
export interface BundleRecord {
  /** esbuild's options, `entryPoints` included, without the output file. */
  readonly options: BuildOptions;
  /** The files the bundle was built from, absolute. */
  readonly inputs: readonly string[];
  /** sha256 (hex) of the bundle's `index.js`. */
  readonly outputSha256: string;
}

/** What one round of changes did. */
export interface ReloadOutcome {
  /** Functions now serving new code, by name. */
  readonly reloaded: readonly string[];
  /** Functions given new configuration from the template, as `<name> (<what>)`, e.g. `api (environment STAGE)`. */
  readonly reconfigured: readonly string[];
  /** `<stack>/<logicalId> (<what>)` of each template change that needs a restart. */
  readonly needsRestart: readonly string[];
  /** Build errors, esbuild's text; the functions keep their code. */
  readonly errors: readonly string[];
  /** From the first change seen to the last function serving its new code. */
  readonly ms: number;
}

/** What the watcher works on. */
export interface HotReloadOptions {
  /** The app's folder. */
  readonly root: string;
  readonly host: LambdaHost;
  /** The folder the bundle records are in. */
  readonly bundleLog: string;
  /** Where rebuilt bundles go; emptied at start. */
  readonly hotDir: string;
  /** The stacks running now. */
  readonly stacks: readonly AssemblyStack[];
  /** Physical name of every resource, by `<stack>/<logicalId>` or logical id (as the runtime reports them). */
  readonly resources: Readonly<Record<string, string>>;
  /** Whether a file (relative to the root, `/`-separated) is a source of the app: `cdk.json` `watch`. */
  isSource(relative: string): boolean;
  /** Synthesizes the app again; resolves with its stacks. */
  resynth(): Promise<readonly AssemblyStack[]>;
  log(line: string): void;
  /** Quiet time after a change before the round runs. @default 80 */
  readonly debounceMs?: number;
}

const IGNORED = new Set(['node_modules', '.git', '.conflux', 'cdk.out', 'test-output', 'coverage']);

/** Watches the app's files and reloads the functions whose sources change. */
export class HotReloader {
  /** The bundle each function serves, by function name. */
  private readonly served = new Map<string, string>();
  private readonly records = new Map<string, BundleRecord>();
  private readonly watchers: FSWatcher[] = [];
  private readonly watched = new Set<string>();
  private pending = new Set<string>();
  private firstChange = 0;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<unknown> = Promise.resolve();
  private builds = 0;
  private readonly listeners = new Set<(outcome: ReloadOutcome) => void>();

  constructor(private readonly options: HotReloadOptions) {
    rmSync(options.hotDir, { recursive: true, force: true });
    mkdirSync(options.hotDir, { recursive: true });
    this.loadRecords();
    for (const spec of options.host.specs()) {
      const sha = bundleSha(spec);
      if (sha !== undefined) this.served.set(spec.name, sha);
    }
  }

  /** How many running functions have a bundle record, i.e. reload without a synth. */
  public get tracked(): number {
    return [...this.served.values()].filter((sha) => this.records.has(sha)).length;
  }

  /**
   * Starts watching the app's folders (all but `node_modules`, dot folders and outputs), one watcher per
   * folder: a folder's watcher sees a file replaced by a rename (as editors save), where one on the file would
   * go on watching the replaced file.
   */
  public start(): void {
    this.watchFolder('');
  }

  private watchFolder(relative: string): void {
    const folder = path.join(this.options.root, relative);
    if (this.watched.has(folder)) return;
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    this.watched.add(folder);
    const watcher = watch(folder, (_event, file) => {
      if (!file || IGNORED.has(file) || file.startsWith('.')) return;
      const child = relative === '' ? file : `${relative}/${file}`;
      if (isFolder(path.join(this.options.root, child))) this.watchFolder(child);
      else this.changed(child);
    });
    watcher.on('error', () => {
      // The folder went away: its files are gone with it.
      watcher.close();
      this.watched.delete(folder);
    });
    this.watchers.push(watcher);
    for (const entry of entries) {
      if (entry.isDirectory() && !IGNORED.has(entry.name) && !entry.name.startsWith('.'))
        this.watchFolder(relative === '' ? entry.name : `${relative}/${entry.name}`);
    }
  }

  /** Stops watching; a round running now finishes. */
  public async stop(): Promise<void> {
    for (const w of this.watchers) w.close();
    if (this.timer) clearTimeout(this.timer);
    await this.round;
  }

  /** Calls `listener` with the outcome of each round; returns the unsubscribe. */
  public onReload(listener: (outcome: ReloadOutcome) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Notes a changed file (relative to the root); a round runs once changes stop for `debounceMs`. */
  public changed(relative: string): void {
    if (this.pending.size === 0) this.firstChange = performance.now();
    this.pending.add(relative);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const files = [...this.pending];
      const since = this.firstChange;
      this.pending = new Set();
      this.round = this.round
        .then(() => this.reload(files, since))
        .catch((error: unknown) => {
          this.options.log(`watch: ${error instanceof Error ? error.message : String(error)}`);
        });
    }, this.options.debounceMs ?? 80);
  }

  /** Reloads what `files` (relative to the root) changed; resolves once the new code serves. */
  public async reload(files: readonly string[], since = performance.now()): Promise<ReloadOutcome> {
    const { root } = this.options;
    const log = (line: string) => {
      this.options.log(line);
    };
    const absolute = new Set(files.map((f) => path.resolve(root, f)));
    const affected = new Map<string, string[]>();
    for (const [fn, sha] of this.served) {
      const record = this.records.get(sha);
      if (record?.inputs.some((i) => absolute.has(i))) affected.set(sha, [...(affected.get(sha) ?? []), fn]);
    }
    const bundled = new Set([...this.records.values()].flatMap((r) => r.inputs));
    const templateFiles = files.filter(
      (f) =>
        !bundled.has(path.resolve(root, f)) && this.options.isSource(f) && existsSync(path.join(root, f)),
    );
    const reloaded: string[] = [];
    const errors: string[] = [];
    for (const [sha, functions] of affected) {
      const record = this.records.get(sha);
      if (!record) continue;
      try {
        const dir = await this.rebuild(record);
        for (const fn of functions) await this.swap(fn, dir);
        reloaded.push(...functions);
      } catch (error: unknown) {
        errors.push(buildError(error));
        log(`watch: ${functions.join(', ')} kept their code: the build failed\n${buildError(error)}`);
      }
    }
    const needsRestart: string[] = [];
    const reconfigured: string[] = [];
    if (templateFiles.length > 0) {
      log(`watch: ${templateFiles.join(', ')} changed: synthesizing to compare the templates …`);
      try {
        const next = await this.options.resynth();
        this.loadRecords();
        const diff = this.compare(next);
        for (const change of diff.code) {
          await this.swap(change.name, change.dir);
          reloaded.push(change.name);
        }
        for (const { name, change } of diff.config) {
          await this.options.host.reconfigure(name, change);
          reconfigured.push(`${name} (${change.what.join(', ')})`);
        }
        needsRestart.push(...diff.other);
        if (diff.code.length === 0 && diff.config.length === 0 && diff.other.length === 0)
          log('watch: the templates are the ones running; nothing to reload');
      } catch (error: unknown) {
        errors.push(error instanceof Error ? error.message : String(error));
        log(
          `watch: the synth failed; nothing changed\n${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    const outcome: ReloadOutcome = {
      reloaded,
      reconfigured,
      needsRestart,
      errors,
      ms: Math.round(performance.now() - since),
    };
    if (reloaded.length > 0)
      log(
        `watch: ${reloaded.join(', ')} serve${reloaded.length === 1 ? 's' : ''} the new code (${String(outcome.ms)} ms after the save)`,
      );
    if (reconfigured.length > 0) log(`watch: new configuration applied to ${reconfigured.join(', ')}`);
    if (needsRestart.length > 0)
      log(
        `watch: the template changed where a hot reload cannot apply it; restart to run it:\n` +
          needsRestart.map((c) => `  ${c}`).join('\n'),
      );
    for (const listener of this.listeners) listener(outcome);
    return outcome;
  }

  /** Builds `record` again into a folder of its own; notes the new bundle's record. */
  private async rebuild(record: BundleRecord): Promise<string> {
    this.builds += 1;
    const dir = path.join(this.options.hotDir, String(this.builds));
    const outfile = path.join(dir, 'index.js');
    const result = await build({ ...record.options, outfile, metafile: true, logLevel: 'silent' });
    const outputSha256 = sha256(readFileSync(outfile));
    const next: BundleRecord = {
      options: record.options,
      inputs: Object.keys(result.metafile.inputs)
        .filter((i) => !i.includes(':'))
        .map((i) => path.resolve(i)),
      outputSha256,
    };
    this.records.set(outputSha256, next);
    writeFileSync(path.join(this.options.bundleLog, `${outputSha256}.json`), JSON.stringify(next));
    return dir;
  }

  private async swap(fn: string, dir: string): Promise<void> {
    await this.options.host.reload(fn, dir);
    const spec = this.options.host.get(fn);
    const sha = spec && bundleSha(spec);
    if (sha !== undefined) this.served.set(fn, sha);
  }

  /** The running stacks against `next`: the functions whose code changed, and every other change. */
  private compare(next: readonly AssemblyStack[]): {
    code: { name: string; dir: string }[];
    config: { name: string; change: ConfigChange }[];
    other: string[];
  } {
    const code: { name: string; dir: string }[] = [];
    const config: { name: string; change: ConfigChange }[] = [];
    const other: string[] = [];
    const running = new Map(this.options.stacks.map((s) => [s.id, s]));
    for (const stack of next) {
      const before = running.get(stack.id);
      running.delete(stack.id);
      if (!before) {
        other.push(`${stack.id} (a new stack)`);
        continue;
      }
      const old = before.template.Resources;
      const now = stack.template.Resources;
      for (const id of Object.keys(old)) if (!(id in now)) other.push(`${stack.id}/${id} (removed)`);
      for (const [id, resource] of Object.entries(now)) {
        const was = old[id];
        if (!was) {
          other.push(`${stack.id}/${id} (added, ${resource.Type})`);
          continue;
        }
        if (resource.Type === 'AWS::Lambda::Function') {
          const name = this.options.resources[`${stack.id}/${id}`] ?? this.options.resources[id];
          if (!same(withoutCode(was), withoutCode(resource))) {
            const change = configChange(was, resource);
            if (change && name !== undefined) config.push({ name, change });
            else other.push(`${stack.id}/${id} (configuration)`);
          }
          const dir = assetDir(stack, resource);
          if (name === undefined || dir === undefined) continue;
          const spec = this.options.host.get(name);
          const sha = bundleShaOf(dir, spec?.handler ?? 'index.handler');
          if (spec && sha !== undefined && sha !== this.served.get(spec.name)) {
            // The next synth may replace the assembly: the function runs from a copy of its own.
            this.builds += 1;
            const copy = path.join(this.options.hotDir, String(this.builds));
            cpSync(dir, copy, { recursive: true });
            code.push({ name: spec.name, dir: copy });
          }
        } else if (!same(strip(was), strip(resource))) {
          other.push(`${stack.id}/${id} (${resource.Type})`);
        }
      }
    }
    for (const id of running.keys()) other.push(`${id} (a removed stack)`);
    return { code, config, other };
  }

  private loadRecords(): void {
    const dir = this.options.bundleLog;
    if (!existsSync(dir)) return;
    for (const file of readdirSync(dir)) {
      if (!file.endsWith('.json')) continue;
      try {
        const record = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as BundleRecord;
        if (Array.isArray(record.inputs) && typeof record.outputSha256 === 'string')
          this.records.set(record.outputSha256, record);
      } catch {
        // A record being written now, or not one: the next round reads it again.
      }
    }
  }
}

function isFolder(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** sha256 of the file a function's handler names, in its code folder. */
function bundleSha(spec: FunctionSpec): string | undefined {
  return bundleShaOf(spec.codeDir, spec.handler);
}

function bundleShaOf(codeDir: string, handler: string): string | undefined {
  const file = handler.slice(0, handler.lastIndexOf('.'));
  for (const ext of ['.js', '.cjs', '.mjs']) {
    const candidate = path.join(codeDir, `${file}${ext}`);
    if (existsSync(candidate)) return sha256(readFileSync(candidate));
  }
  return undefined;
}

function assetDir(stack: AssemblyStack, resource: CfnResource): string | undefined {
  const key = (resource.Properties?.Code as { S3Key?: unknown } | undefined)?.S3Key;
  return typeof key === 'string' ? stack.assetsByObjectKey.get(key) : undefined;
}

/** A resource without what differs between two synths of the same definition. */
function strip(resource: CfnResource): unknown {
  const rest: Record<string, unknown> = { ...resource };
  delete rest.Metadata;
  return rest;
}

function withoutCode(resource: CfnResource): unknown {
  const rest = strip(resource) as { Properties?: Record<string, unknown> };
  const properties = { ...rest.Properties };
  delete properties.Code;
  return { ...rest, Properties: properties };
}

/** A change to a function's configuration that a hot reload applies, and what it is, for the log. */
interface ConfigChange {
  /** Variables set to a new literal value, or removed (`null`). */
  readonly environment: Readonly<Record<string, string | null>>;
  readonly timeoutSeconds?: number;
  readonly memorySize?: number;
  /** E.g. `environment STAGE`, `timeout 30 s`. */
  readonly what: readonly string[];
}

/**
 * The change from `was` to `now` when it is only environment variables with literal values, `Timeout` or
 * `MemorySize`; undefined when anything else changed, or a variable's new value is an intrinsic (resolving
 * it needs the other resources, as at start).
 */
function configChange(was: CfnResource, now: CfnResource): ConfigChange | undefined {
  // What a hot reload applies is taken out; the rest (Environment's other keys included) must be the same.
  const parts = (r: CfnResource) => {
    const whole = withoutCode(r) as { Properties: Record<string, unknown> };
    const { Timeout: timeout, MemorySize: memory, Environment, ...properties } = whole.Properties;
    const { Variables: variables = {}, ...environment } = (Environment ?? {}) as {
      Variables?: Record<string, unknown>;
    };
    return { rest: { ...whole, Properties: properties, environment }, variables, timeout, memory };
  };
  const before = parts(was);
  const after = parts(now);
  if (!same(before.rest, after.rest)) return undefined;
  const environment: Record<string, string | null> = {};
  const what: string[] = [];
  for (const name of new Set([...Object.keys(before.variables), ...Object.keys(after.variables)])) {
    const value = after.variables[name];
    if (same(before.variables[name], value)) continue;
    if (value === undefined) environment[name] = null;
    else if (typeof value === 'string') environment[name] = value;
    else return undefined;
    what.push(`environment ${name}`);
  }
  const number = (value: unknown, fallback: number) => (value === undefined ? fallback : Number(value));
  let timeoutSeconds: number | undefined;
  let memorySize: number | undefined;
  if (!same(before.timeout, after.timeout)) {
    timeoutSeconds = number(after.timeout, 3);
    what.push(`timeout ${String(timeoutSeconds)} s`);
  }
  if (!same(before.memory, after.memory)) {
    memorySize = number(after.memory, 128);
    what.push(`memory ${String(memorySize)} MB`);
  }
  if ([timeoutSeconds, memorySize].some((n) => n !== undefined && !Number.isFinite(n))) return undefined;
  return { environment, timeoutSeconds, memorySize, what };
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function buildError(error: unknown): string {
  const errors = (error as { errors?: { text: string; location?: { file: string; line: number } | null }[] })
    .errors;
  if (Array.isArray(errors) && errors.length > 0)
    return errors
      .map((e) => (e.location ? `${e.location.file}:${String(e.location.line)}: ${e.text}` : e.text))
      .join('\n');
  return error instanceof Error ? error.message : String(error);
}
