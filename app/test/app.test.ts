import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfluxApp } from '../app';
import { cdkJsonContext } from '../../test/support/cdk';

/**
 * The one synth of the whole application as `cdk synth` runs it: real bundling, cdk-nag's AwsSolutions and
 * Serverless packs, and aws-cdk-lib's CloudFormation validation (switched off in the other tests for speed).
 */
describe('the Conflux app', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'conflux-synth-'));
  let assembly: CloudAssembly;

  beforeAll(() => {
    process.env.CDK_VALIDATION = 'true';
    const app = new App({ outdir, context: cdkJsonContext() });
    buildConfluxApp(app);
    assembly = app.synth();
  });
  afterAll(() => {
    process.env.CDK_VALIDATION = 'false';
    rmSync(outdir, { recursive: true, force: true });
  });

  it('synthesizes every stack with no unacknowledged nag finding and a clean CloudFormation validation', () => {
    expect(assembly.stacks.map((s) => s.stackName)).toEqual([
      'conflux-dev-messaging',
      'conflux-dev-api',
      'conflux-dev-monitoring',
    ]);
    const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: {
        pluginName: string;
        conclusion: string;
        violations: unknown[];
        suppressedViolations?: { ruleName: string; reason?: string }[];
      }[];
    };
    const outcome = Object.fromEntries(
      report.pluginReports.map((r) => [r.pluginName, `${r.conclusion}, ${r.violations.length} violations`]),
    );
    // A plugin appears in the report only when it has something to say; CloudFormation Validate has nothing.
    expect(outcome).toEqual({
      AwsSolutions: 'success, 0 violations',
      Serverless: 'success, 0 violations',
    });
    // Every acknowledgment carries a reason that says why, not a placeholder.
    const acknowledged = report.pluginReports.flatMap((r) => r.suppressedViolations ?? []);
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const finding of acknowledged)
      expect(finding.reason?.length ?? 0, finding.ruleName).toBeGreaterThan(60);
  });

  it('needs no context lookups', () => {
    expect(assembly.manifest.missing ?? []).toEqual([]);
    const root = path.resolve(import.meta.dirname, '../..');
    const sources = ['app/bin', 'app/stacks', 'app/config', 'packages/constructs/src'].flatMap((dir) =>
      listTs(path.join(root, dir)),
    );
    expect(sources.length).toBeGreaterThan(20);
    const lookups = sources.filter((file) => /\.fromLookup\s*\(/.test(readFileSync(file, 'utf8')));
    expect(lookups).toEqual([]);
  });

  it("ships each handler as one index.js, no source map or metafile, under 250 KB, with the runtime's SDK", () => {
    const assets = readdirSync(outdir).filter((f) => f.startsWith('asset.'));
    // authorizer, health, orders, webhooks consumer, accounts API + projector + outbox, catalog API + projector, inventory/payments/shipping/confirm steps + inventory API, orders outbox + restock + refund, three messaging consumers, customers API + search sink + archive sink, the CDC processor, the lake's json-lines transform, the customers-nightly extract + transform + load
    expect(assets).toHaveLength(28);
    for (const asset of assets) {
      expect(readdirSync(path.join(outdir, asset))).toEqual(['index.js']);
      expect(statSync(path.join(outdir, asset, 'index.js')).size).toBeLessThan(250 * 1024);
    }
    // The AWS SDK is the Lambda runtime's: required, never bundled (its clients' code is absent).
    const code = assets.map((asset) => readFileSync(path.join(outdir, asset, 'index.js'), 'utf8'));
    expect(code.filter((js) => js.includes('require("@aws-sdk/client-dynamodb")')).length).toBeGreaterThan(
      10,
    );
    expect(code.filter((js) => js.includes('DynamoDB_20120810')).length).toBe(0);
    // One asset esbuild did not make at synth: @conflux/constructs' pre-built JWT authorizer, as shipped.
    const shipped = readFileSync(
      path.resolve(import.meta.dirname, '../../packages/constructs/assets/jwt-authorizer/index.js'),
      'utf8',
    );
    expect(code.filter((js) => js === shipped)).toHaveLength(1);
  });

  function gatedApp(): { app: App; extra: Stack } {
    const app = new App({
      outdir: mkdtempSync(path.join(tmpdir(), 'conflux-gate-')),
      context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] },
    });
    buildConfluxApp(app);
    return { app, extra: new Stack(app, 'Extra') };
  }

  it('fails synth on an unacknowledged nag finding', () => {
    // GIVEN the app's gate and a queue that breaks the rules
    const { app, extra } = gatedApp();
    new sqs.Queue(extra, 'Unencrypted', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    // WHEN / THEN
    expect(() => app.synth()).toThrow(/\(AwsSolutions\)\s+Extra\/Unencrypted/);
  });

  it('fails synth on a template that CloudFormation would reject', () => {
    const { app, extra } = gatedApp();
    new CfnResource(extra, 'Queue', { type: 'AWS::SQS::Queue', properties: { VisibilityTimeout: 'soon' } });
    expect(() => app.synth()).toThrow(
      /VisibilityTimeout: 'soon' is not of type 'integer' \(CloudFormation Validate\)/,
    );
  });
});

function listTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listTs(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}
