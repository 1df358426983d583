import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The context of `cdk.json` (feature flags and defaults), so tests synthesize what `cdk synth` does. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(root, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

/** Handler entry used by construct tests. */
export const fixtureHandler = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '../fixtures/noop-handler.ts',
);

/**
 * A stack in an app that skips asset bundling: construct tests assert on templates, not bundles, and a
 * skipped bundle keeps a hash derived from the construct path, so templates are stable.
 */
export function testStack(context: Record<string, unknown> = {}): Stack {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context } });
  return new Stack(app, 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
}
