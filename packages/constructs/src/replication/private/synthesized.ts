import { CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * The resolved CloudFormation properties of the main resource of `construct`, escape-hatch overrides
 * included, so a synth-time rule sees what will deploy rather than what the constructor was given.
 */
export function synthesizedProperties(construct: IConstruct): Record<string, unknown> {
  const resource = construct.node.defaultChild;
  if (!(resource instanceof CfnResource)) return {};
  const stack = Stack.of(construct);
  const rendered: unknown = stack.resolve(resource._toCloudFormation());
  if (typeof rendered !== 'object' || rendered === null || !('Resources' in rendered)) return {};
  const resources = rendered.Resources;
  if (typeof resources !== 'object' || resources === null) return {};
  const [only] = Object.values(resources) as unknown[];
  if (typeof only !== 'object' || only === null || !('Properties' in only)) return {};
  const properties = only.Properties;
  return typeof properties === 'object' && properties !== null ? (properties as Record<string, unknown>) : {};
}

/** The Regions of the replicas a GlobalTable's properties render, its own Region included. */
export function replicaRegionsOf(properties: Record<string, unknown>): string[] {
  const replicas = Array.isArray(properties.Replicas) ? properties.Replicas : [];
  return replicas.map((replica: unknown) =>
    typeof replica === 'object' && replica !== null && 'Region' in replica ? String(replica.Region) : '?',
  );
}
