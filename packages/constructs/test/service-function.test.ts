import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { createServiceFunction, type ServiceFunctionOptions } from '../src/index.js';
import { cdkJsonContext } from '../../../test/support/cdk.js';

const sdkUser = path.join(import.meta.dirname, 'fixtures', 'handlers', 'sdk-user.ts');
const required = {
  serviceName: 'test',
  timeout: Duration.seconds(3),
  noDeadLetterQueueBecause: 'test',
  errorMeaning: 'test',
};

/** A synthesized stack with one service function, bundled for real; its asset's files and its template. */
function synthesized(options: Partial<ServiceFunctionOptions>) {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:enable-asset-metadata': true } });
  const stack = new Stack(app, 'Test');
  createServiceFunction(new Construct(stack, 'Fn'), { ...required, entry: sdkUser, ...options });
  const assembly = app.synth();
  const template = Template.fromStack(stack);
  const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0] as {
    Metadata: Record<string, string>;
  };
  const dir = path.join(assembly.directory, fn.Metadata['aws:asset:path'] ?? '');
  const files = readdirSync(dir).sort();
  return { files, code: readFileSync(path.join(dir, 'index.js'), 'utf8'), dir, template };
}

describe('createServiceFunction bundling', () => {
  it('ships one minified index.js that requires the runtime SDK instead of bundling it, and no NODE_OPTIONS', () => {
    const { files, code, dir, template } = synthesized({});
    expect(files).toEqual(['index.js']);
    expect(code).toContain('require("@aws-sdk/client-dynamodb")');
    expect(code).not.toContain('DynamoDB_20120810');
    expect(statSync(path.join(dir, 'index.js')).size).toBeLessThan(5 * 1024);
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function')) as {
      Properties: { Environment: { Variables: Record<string, unknown> }; Handler: string };
    }[];
    expect(fn?.Properties.Handler).toBe('index.handler');
    expect(fn?.Properties.Environment.Variables).not.toHaveProperty('NODE_OPTIONS');
  });

  it('bundles the SDK, tree-shaken from its ES modules, with bundleAwsSdk', () => {
    const { files, code } = synthesized({ bundleAwsSdk: true });
    expect(files).toEqual(['index.js']);
    expect(code).not.toContain('require("@aws-sdk/client-dynamodb")');
    expect(code).toContain('DynamoDB_20120810');
    // Only the commands the handler imports: GetItem's, not every operation's.
    expect(code).not.toContain('BatchExecuteStatement');
  });

  it('ships a source map and starts Node with --enable-source-maps, with sourceMaps', () => {
    const { files, template } = synthesized({ sourceMaps: true });
    expect(files).toEqual(['index.js', 'index.js.map']);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
    });
  });

  it('refuses bundle choices for code that is already built, saying how to fix it', () => {
    const stack = new Stack(new App(), 'Test');
    expect(() =>
      createServiceFunction(new Construct(stack, 'Fn'), {
        ...required,
        code: lambda.Code.fromInline('exports.handler = async () => 1;'),
        sourceMaps: true,
      }),
    ).toThrow(/Test\/Fn: bundleAwsSdk and sourceMaps choose how an entry is bundled; code is already built/);
  });
});
