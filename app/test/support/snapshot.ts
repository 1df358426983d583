import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/**
 * A stack's template for snapshotting, with asset hashes replaced, so that a snapshot changes only when
 * the template does and not when a handler's bundle does.
 */
export function snapshotTemplate(stack: Stack): unknown {
  const json = JSON.stringify(Template.fromStack(stack).toJSON());
  return JSON.parse(
    json.replace(/[0-9a-f]{64}(\.zip|\.json)?/g, (_m, ext: string | undefined) => `[asset-hash]${ext ?? ''}`),
  );
}
