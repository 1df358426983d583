import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** A CloudFormation template as synthesized. */
export interface CfnTemplate {
  readonly Parameters?: Record<string, { Type: string; Default?: unknown }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
}

/** One resource of a template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly Condition?: string;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Metadata?: unknown;
}

/** A stack of the cloud assembly with its template and its file assets. */
export interface AssemblyStack {
  /** Artifact id, e.g. `Messaging`. */
  readonly id: string;
  readonly stackName: string;
  readonly template: CfnTemplate;
  /** Folder (or file) in the assembly for each file asset, by the S3 object key it would be published under. */
  readonly assetsByObjectKey: ReadonlyMap<string, string>;
  /** Artifact ids of the stacks this one depends on. */
  readonly dependencies: readonly string[];
}

interface Manifest {
  artifacts?: Record<
    string,
    {
      type: string;
      properties?: { templateFile?: string; stackName?: string; file?: string };
      dependencies?: string[];
    }
  >;
}

interface AssetManifest {
  files?: Record<string, { source: { path: string }; destinations: Record<string, { objectKey: string }> }>;
}

/** A folder that holds no cloud assembly; the message says which and how to make one. */
export class CloudAssemblyError extends Error {
  public override readonly name = 'CloudAssemblyError';
}

/** Fails with a {@link CloudAssemblyError} when `dir` holds no cloud assembly. */
export function assertCloudAssembly(dir: string): void {
  if (existsSync(path.join(dir, 'manifest.json'))) return;
  throw new CloudAssemblyError(
    existsSync(dir)
      ? `${dir} is not a cloud assembly: it has no manifest.json (synthesize into it with cdk synth --output ${dir})`
      : `${dir} does not exist: pass the folder a synth wrote (cdk synth --output <dir>), e.g. cdk.out`,
  );
}

/** Reads the stacks of a cloud assembly (`cdk.out`) in deployment order. */
export function readCloudAssembly(dir: string): AssemblyStack[] {
  assertCloudAssembly(dir);
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const artifacts = manifest.artifacts ?? {};
  const stacks: AssemblyStack[] = [];
  for (const [id, artifact] of Object.entries(artifacts)) {
    if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) continue;
    const template = JSON.parse(
      readFileSync(path.join(dir, artifact.properties.templateFile), 'utf8'),
    ) as CfnTemplate;
    const assetsByObjectKey = new Map<string, string>();
    for (const dep of artifact.dependencies ?? []) {
      const file =
        artifacts[dep]?.type === 'cdk:asset-manifest' ? artifacts[dep].properties?.file : undefined;
      if (!file) continue;
      const assets = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as AssetManifest;
      for (const asset of Object.values(assets.files ?? {})) {
        for (const destination of Object.values(asset.destinations)) {
          assetsByObjectKey.set(destination.objectKey, path.join(dir, asset.source.path));
        }
      }
    }
    stacks.push({
      id,
      stackName: artifact.properties.stackName ?? id,
      template,
      assetsByObjectKey,
      dependencies: (artifact.dependencies ?? []).filter(
        (d) => artifacts[d]?.type === 'aws:cloudformation:stack',
      ),
    });
  }
  return deploymentOrder(stacks);
}

function deploymentOrder(stacks: AssemblyStack[]): AssemblyStack[] {
  const byId = new Map(stacks.map((s) => [s.id, s]));
  const ordered: AssemblyStack[] = [];
  const seen = new Set<string>();
  const visit = (stack: AssemblyStack) => {
    if (seen.has(stack.id)) return;
    seen.add(stack.id);
    for (const dep of stack.dependencies) {
      const d = byId.get(dep);
      if (d) visit(d);
    }
    ordered.push(stack);
  };
  stacks.forEach(visit);
  return ordered;
}
