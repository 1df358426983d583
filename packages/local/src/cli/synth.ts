import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
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

/** Synthesizes the app into `outdir` with the CDK CLI, unless its output is current. */
export function synthesize(project: Project, options: SynthOptions, log: (line: string) => void): void {
  const { root } = project;
  const shown = path.relative(root, options.outdir) || options.outdir;
  if (isCurrent(project, options)) {
    log(`${path.relative(root, options.outdir)} is current; not synthesizing`);
    return;
  }
  log(`synthesizing into ${shown} …`);
  // `--no`: the app's own aws-cdk (a dev dependency), never one npx would download.
  execFileSync('npx', ['--no', ...synthArgs(options)], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
  writeFileSync(path.join(options.outdir, SYNTH_STAMP), synthStamp(project, options));
}
