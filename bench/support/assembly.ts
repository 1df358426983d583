/**
 * The Lambda functions of a synthesized cloud assembly, as deployed: where each one's code asset is, what it
 * weighs, and the environment it starts with (intrinsics replaced by placeholder strings, which is enough to
 * run a module scope that only reads its variables).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

export interface DeployedFunction {
  /** `<stack>/<logical id without its hash>`, e.g. `Api/OrdersFunction`. */
  readonly path: string;
  /** Folder of the code asset. */
  readonly codeDir: string;
  /** The file Lambda loads (`index.js` for `index.handler`). */
  readonly entryFile: string;
  readonly exportName: string;
  /** Bytes of every file in the asset: what is uploaded and unpacked to `/var/task`. */
  readonly assetBytes: number;
  readonly files: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
}

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: {
    readonly Handler?: string;
    readonly Environment?: { readonly Variables?: Record<string, unknown> };
  };
  readonly Metadata?: Record<string, unknown>;
}

/** Synthesizes the project's app (`cdk synth`, or `args`' `--app`) into `outdir`, quietly; returns the wall time in ms. */
export function synthesize(
  root: string,
  outdir: string,
  env: Record<string, string> = {},
  args: string[] = [],
): number {
  const t0 = performance.now();
  execFileSync('npx', ['--no', 'cdk', 'synth', '--quiet', '--no-notices', '-o', outdir, ...args], {
    cwd: root,
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return performance.now() - t0;
}

/** Every `AWS::Lambda::Function` with a code asset in the assembly at `outdir`. */
export function deployedFunctions(outdir: string): DeployedFunction[] {
  const functions: DeployedFunction[] = [];
  for (const file of readdirSync(outdir).filter((f) => f.endsWith('.template.json'))) {
    const template = JSON.parse(readFileSync(path.join(outdir, file), 'utf8')) as {
      Resources?: Record<string, TemplateResource>;
    };
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const asset = resource.Metadata?.['aws:asset:path'];
      const handler = resource.Properties?.Handler;
      if (typeof asset !== 'string' || typeof handler !== 'string') continue;
      const codeDir = path.join(outdir, asset);
      const dot = handler.lastIndexOf('.');
      const base = path.join(codeDir, handler.slice(0, dot));
      const entryFile =
        ['.js', '.cjs', '.mjs'].map((ext) => base + ext).find((f) => exists(f)) ?? `${base}.js`;
      const files = listFiles(codeDir);
      functions.push({
        path: `${file.replace(/\.template\.json$/, '')}/${logicalId.replace(/[0-9A-F]{8}$/, '')}`,
        codeDir,
        entryFile,
        exportName: handler.slice(dot + 1),
        assetBytes: files.reduce((sum, f) => sum + statSync(path.join(codeDir, f)).size, 0),
        files,
        environment: placeholders(resource.Properties?.Environment?.Variables ?? {}),
      });
    }
  }
  return functions.sort((a, b) => a.path.localeCompare(b.path));
}

/** The `node_modules` folder the project's AWS SDK resolves from: what the Lambda runtime provides. */
export function providedSdkDir(root: string): string {
  const require = createRequire(path.join(root, 'package.json'));
  return path.resolve(path.dirname(require.resolve('@aws-sdk/client-dynamodb/package.json')), '..', '..');
}

function placeholders(variables: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, resolve(value)]));
}

const PSEUDO: Readonly<Record<string, string>> = {
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '000000000000',
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'placeholder-stack',
};

/** A string for a CloudFormation value: `Ref`s and attributes become ARN-like names, `Fn::Join` joins. */
function resolve(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object') {
    const [[fn, arg]] = Object.entries(value) as [[string, unknown]];
    if (fn === 'Ref') return PSEUDO[String(arg)] ?? `placeholder-${String(arg).toLowerCase()}`;
    if (fn === 'Fn::GetAtt' && Array.isArray(arg))
      return `arn:aws:placeholder:us-east-1:000000000000:${arg.join('-')}`;
    if (fn === 'Fn::Join' && Array.isArray(arg)) {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.map(resolve).join(separator);
    }
    if (fn === 'Fn::Sub')
      return String(Array.isArray(arg) ? arg[0] : arg).replace(/\$\{[^}]+\}/g, 'placeholder');
    if (fn === 'Fn::Select' && Array.isArray(arg)) return resolve((arg[1] as unknown[])[Number(arg[0])]);
  }
  return 'placeholder';
}

function exists(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(dir, path.join(prefix, entry.name)) : [path.join(prefix, entry.name)],
  );
}
