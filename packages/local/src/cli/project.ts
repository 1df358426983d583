import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { glob, GlobError, type Glob } from './glob.js';

/**
 * The `conflux.local` section of an app's `cdk.json`: what `conflux local` does for this app beyond running
 * it. Every setting is optional; with no section, it runs the app as synthesized and seeds nothing.
 *
 * ```json
 * "conflux": { "local": { "devIssuerContext": "conflux:auth", "seed": "app/seed/demo.json" } }
 * ```
 */
export interface LocalSettings {
  /**
   * The context key the synth is given the dev issuer under (its issuer, audience, algorithms and public
   * keys, as `devAuthConfig` makes them), so that the app's API trusts the tokens it signs (`issueDevToken`). Unset,
   * no context is passed; the dev issuer's keys are made all the same.
   */
  readonly devIssuerContext?: string;
  /** A seed file (relative to `cdk.json`) written into the tables once the app runs; `--seed` overrides it. */
  readonly seed?: string;
}

/** What `conflux local` reads of an app's `cdk.json`. */
export interface Project {
  /** The folder of `cdk.json`, where `conflux local` runs. */
  readonly root: string;
  /** Whether there is a `cdk.json`. */
  readonly hasCdkJson: boolean;
  /** The `app` command of `cdk.json`, when it has one. */
  readonly app?: string;
  readonly local: LocalSettings;
  /** `watch.include`, or every file when it has none. */
  readonly include: readonly string[];
  /** `watch.exclude`. */
  readonly exclude: readonly string[];
  /** CDK's `output` setting, relative to the root. @default 'cdk.out' */
  readonly output: string;
}

/** A `cdk.json` that `conflux local` cannot use, with the setting and what is wrong with it. */
export class ProjectError extends Error {
  public override readonly name = 'ProjectError';
}

const LOCAL_SETTINGS: Readonly<Record<keyof LocalSettings, string>> = {
  devIssuerContext: 'a context key, e.g. "conflux:auth"',
  seed: 'a path relative to cdk.json, e.g. "seed/demo.json"',
};

/** Reads `<root>/cdk.json`; a missing file is a project with no settings. */
export function readProject(root: string): Project {
  const file = path.join(root, 'cdk.json');
  if (!existsSync(file))
    return { root, hasCdkJson: false, local: {}, include: ['**'], exclude: [], output: 'cdk.out' };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error: unknown) {
    throw new ProjectError(
      `cdk.json is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
  const cdkJson = record(json, 'cdk.json');
  const watch = record(cdkJson.watch ?? {}, 'cdk.json "watch"');
  const conflux = record(cdkJson.conflux ?? {}, 'cdk.json "conflux"');
  const include = patterns(watch.include, 'watch.include');
  const exclude = patterns(watch.exclude, 'watch.exclude');
  return {
    root,
    hasCdkJson: true,
    app: typeof cdkJson.app === 'string' ? cdkJson.app : undefined,
    local: localSettings(conflux.local ?? {}),
    include: include.length > 0 ? include : ['**'],
    exclude,
    output: typeof cdkJson.output === 'string' ? cdkJson.output : 'cdk.out',
  };
}

function localSettings(value: unknown): LocalSettings {
  const section = record(value, 'cdk.json "conflux.local"');
  const settings: Record<string, string> = {};
  for (const [key, setting] of Object.entries(section)) {
    const expected = LOCAL_SETTINGS[key as keyof LocalSettings] as string | undefined;
    if (expected === undefined) {
      throw new ProjectError(
        `cdk.json "conflux.local.${key}" is not a setting of conflux local (${Object.keys(LOCAL_SETTINGS).join(', ')} are)`,
      );
    }
    if (typeof setting !== 'string' || setting === '')
      throw new ProjectError(`cdk.json "conflux.local.${key}" must be ${expected}`);
    settings[key] = setting;
  }
  return settings;
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ProjectError(`${what} must be an object`);
  return value as Record<string, unknown>;
}

/** A `watch` setting: one glob or a list of them, as CDK accepts it. */
function patterns(value: unknown, what: string): string[] {
  const list = value === undefined ? [] : Array.isArray(value) ? (value as unknown[]) : [value];
  if (!list.every((p): p is string => typeof p === 'string'))
    throw new ProjectError(`cdk.json "${what}" must be a glob or a list of globs`);
  try {
    glob(list);
  } catch (error: unknown) {
    if (error instanceof GlobError)
      throw new ProjectError(`cdk.json "${what}": ${error.message}`, { cause: error });
    throw error;
  }
  return list;
}

/**
 * Newest modification time (ms) of the app's sources: the files `watch.include` and `watch.exclude` select,
 * and `always` (relative to the root, e.g. `cdk.json`). Never counted, as CDK's watch never counts them:
 * `node_modules`, dot files and folders (`.conflux`, `.git`), and the output folder of `cdk.json`.
 */
export function newestSource(project: Project, always: readonly string[] = []): number {
  const include = glob(project.include);
  const exclude: Glob = glob(project.exclude);
  const output = path.normalize(project.output);
  let newest = 0;
  const visit = (relative: string) => {
    for (const name of readdirSync(path.join(project.root, relative))) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const child = relative === '' ? name : `${relative}/${name}`;
      if (path.normalize(child) === output || exclude.matches(child)) continue;
      const stat = statSync(path.join(project.root, child), { throwIfNoEntry: false });
      if (stat?.isDirectory()) {
        if (include.mayMatchBelow(child)) visit(child);
      } else if (stat && include.matches(child)) {
        newest = Math.max(newest, stat.mtimeMs);
      }
    }
  };
  visit('');
  for (const file of always) {
    const stat = statSync(path.join(project.root, file), { throwIfNoEntry: false });
    if (stat) newest = Math.max(newest, stat.mtimeMs);
  }
  return newest;
}
