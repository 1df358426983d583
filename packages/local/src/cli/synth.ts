import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { newestSource, type Project } from './project.js';

/** How `conflux local` synthesizes the app. */
export interface SynthOptions {
  /** Where the cloud assembly goes. */
  readonly outdir: string;
  /** `--app`: a command other than the one of `cdk.json`; the synth then always runs. */
  readonly app?: string;
  /** Context passed with `--context key=value`, the value as JSON. */
  readonly context?: Readonly<Record<string, unknown>>;
  /** Files (relative to the root) whose change also makes the output stale, e.g. the dev issuer's keys. */
  readonly inputs?: readonly string[];
}

/** The `npx` arguments of the synth. */
export function synthArgs(options: SynthOptions): string[] {
  return [
    'cdk',
    'synth',
    '--quiet',
    '--no-notices',
    '--output',
    options.outdir,
    ...Object.entries(options.context ?? {}).flatMap(([key, value]) => [
      '--context',
      `${key}=${JSON.stringify(value)}`,
    ]),
    ...(options.app ? ['--app', options.app] : []),
  ];
}

/** The file in a cloud assembly that names the app and context `conflux local` synthesized it from. */
export const SYNTH_STAMP = 'conflux-synth.json';

/** What made a cloud assembly: the app command and the context; another one makes another assembly. */
export function synthStamp(project: Project, options: SynthOptions): string {
  return JSON.stringify({ app: options.app ?? project.app ?? null, context: options.context ?? {} });
}

/**
 * Whether the cloud assembly in `outdir` was synthesized from this app of `cdk.json` with this context
 * (its stamp says so: after `--app` another app's output sits there) and is newer than every source of the
 * app (as `cdk.json` `watch` selects them), `cdk.json` itself and the other inputs.
 */
export function isCurrent(project: Project, options: SynthOptions): boolean {
  const manifest = path.join(options.outdir, 'manifest.json');
  const stamp = path.join(options.outdir, SYNTH_STAMP);
  if (options.app || !existsSync(manifest) || !existsSync(stamp)) return false;
  if (readFileSync(stamp, 'utf8') !== synthStamp(project, options)) return false;
  return statSync(manifest).mtimeMs > newestSource(project, ['cdk.json', ...(options.inputs ?? [])]);
}

/** What a synth tells while it runs. */
export interface SynthProgress {
  /** Each line the synth prints; with {@link SynthRun.quiet} not shown but counted and kept. */
  line?(text: string): void;
  /** A function bundled, with the construct path CDK names. */
  bundled?(count: number, asset: string): void;
}

/** How one synth runs. */
export interface SynthRun {
  /** Keep the CDK CLI's output out of the terminal: in `logFile`, and shown when the synth fails. */
  readonly quiet?: boolean;
  /** Where the synth's output is kept. */
  readonly logFile?: string;
  /** Extra environment, e.g. where the bundler records its bundles (`CONFLUX_BUNDLE_LOG`). */
  readonly env?: Readonly<Record<string, string>>;
  /** Synthesize even when the output is current. */
  readonly force?: boolean;
}

/** A synth that failed: its exit and the end of its output. */
export class SynthError extends Error {
  public override readonly name = 'SynthError';
}

/**
 * Synthesizes the app into `outdir` with the CDK CLI, unless its output is current; resolves with whether it
 * ran. Nothing of the event loop waits for it: the runtime keeps serving during a `--watch` synth.
 */
export async function synthesize(
  project: Project,
  options: SynthOptions,
  log: (line: string) => void,
  run: SynthRun = {},
  progress: SynthProgress = {},
): Promise<boolean> {
  const { root } = project;
  const shown = path.relative(root, options.outdir) || options.outdir;
  if (!run.force && isCurrent(project, options)) {
    log(`${shown} is current; not synthesizing`);
    return false;
  }
  if (!run.quiet) log(`synthesizing into ${shown} …`);
  const output: string[] = [];
  let bundles = 0;
  const onLine = (text: string) => {
    output.push(text);
    const bundling = /^Bundling asset (\S+?)(\/Resource)?\/Code\/Stage/.exec(text);
    if (bundling) progress.bundled?.((bundles += 1), bundling[1] ?? '');
    progress.line?.(text);
    if (!run.quiet) log(text);
  };
  // `--no`: the app's own aws-cdk (a dev dependency), never one npx would download.
  const child = spawn('npx', ['--no', ...synthArgs(options)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...run.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLine);
  }
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (run.logFile) writeFileSync(run.logFile, `${output.join('\n')}\n`);
  if (code !== 0) {
    throw new SynthError(
      `the synth failed (cdk synth exited with ${String(code)})` +
        (run.quiet ? `; its output:\n${output.slice(-60).join('\n')}` : ''),
    );
  }
  writeFileSync(path.join(options.outdir, SYNTH_STAMP), synthStamp(project, options));
  return true;
}
