import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LambdaHost, PROVIDED_SDK_PACKAGES } from '../../../src/services/lambda/host.js';

/** Function code placed inside this project, whose package.json says "type": "module". */
const codeDir = (files: Record<string, string>) => {
  const base = path.resolve(import.meta.dirname, '../../../../../.cache');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(path.join(base, 'fn-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
};

describe('Lambda host module loading', () => {
  const host = new LambdaHost();
  afterAll(async () => {
    await host.stop();
  });
  const register = (name: string, dir: string, handler = 'index.handler') => {
    host.register({
      name,
      arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
      codeDir: dir,
      handler,
      timeoutSeconds: 3,
      memorySize: 128,
      environment: {},
    });
  };

  it('loads a CommonJS bundle as CommonJS even inside an ES-module project, as Lambda does', async () => {
    register(
      'cjs',
      codeDir({ 'index.js': 'module.exports.handler = async () => ({ kind: typeof module });' }),
    );
    expect(await host.invoke('cjs', {})).toEqual({ ok: true, payload: { kind: 'object' } });
  });

  it('loads ES modules from .mjs files and from code whose own package.json says "module"', async () => {
    register('mjs', codeDir({ 'app.mjs': 'export const handler = async () => "mjs";' }), 'app.handler');
    register(
      'esm',
      codeDir({
        'index.js': 'export const handler = async () => "esm";',
        'package.json': '{"type":"module"}',
      }),
    );
    expect(await host.invoke('mjs', {})).toEqual({ ok: true, payload: 'mjs' });
    expect(await host.invoke('esm', {})).toEqual({ ok: true, payload: 'esm' });
  });

  it('reports a missing export as Runtime.HandlerNotFound and a broken module as Runtime.ImportModuleError', async () => {
    register('missing', codeDir({ 'index.js': 'module.exports.other = () => 1;' }));
    register('broken', codeDir({ 'index.js': 'throw new Error("boom at init");' }));
    expect(await host.invoke('missing', {})).toMatchObject({
      ok: false,
      error: { errorType: 'Runtime.HandlerNotFound' },
    });
    expect(await host.invoke('broken', {})).toMatchObject({
      ok: false,
      error: { errorType: 'Runtime.ImportModuleError', errorMessage: 'boom at init' },
    });
  });
});

describe('Lambda host: the AWS SDK the runtime provides', () => {
  const host = new LambdaHost();
  afterAll(async () => {
    await host.stop();
  });
  /** Code outside any project: nothing above it has a node_modules, as on Lambda. */
  const outside = (files: Record<string, string>) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'conflux-fn-'));
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
    return dir;
  };
  const register = (name: string, dir: string) => {
    host.register({
      name,
      arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
      codeDir: dir,
      handler: 'index.handler',
      timeoutSeconds: 10,
      memorySize: 256,
      environment: { AWS_REGION: 'us-east-1' },
    });
  };

  it('resolves every provided SDK package for a bundle that left @aws-sdk/* external, wherever its code lives', async () => {
    const requires = PROVIDED_SDK_PACKAGES.map((name) => `typeof require(${JSON.stringify(name)})`).join(
      ', ',
    );
    register('sdk', outside({ 'index.js': `exports.handler = async () => [${requires}];` }));
    expect(await host.invoke('sdk', {})).toEqual({
      ok: true,
      payload: PROVIDED_SDK_PACKAGES.map(() => 'object'),
    });
  });

  it("prefers a copy inside the function's own code, as Lambda's module resolution does", async () => {
    register(
      'own',
      outside({
        'index.js': 'exports.handler = async () => require("@aws-sdk/client-sqs").own;',
        'node_modules/@aws-sdk/client-sqs/index.js': 'exports.own = "bundled with the function";',
        'node_modules/@aws-sdk/client-sqs/package.json': '{"name":"@aws-sdk/client-sqs","main":"index.js"}',
      }),
    );
    expect(await host.invoke('own', {})).toEqual({ ok: true, payload: 'bundled with the function' });
  });

  it('resolves every provided SDK package for an ES module handler, wherever its code lives', async () => {
    // GIVEN an index.mjs outside any project that imports each provided package
    const imports = PROVIDED_SDK_PACKAGES.map((name, i) => `import * as m${i} from ${JSON.stringify(name)};`);
    const kinds = PROVIDED_SDK_PACKAGES.map((_, i) => `typeof m${i}`).join(', ');
    register(
      'esm-sdk',
      outside({ 'index.mjs': `${imports.join('\n')}\nexport const handler = async () => [${kinds}];` }),
    );
    // WHEN it is invoked
    const result = await host.invoke('esm-sdk', {});
    // THEN every import resolved to the provided SDK
    expect(result).toEqual({ ok: true, payload: PROVIDED_SDK_PACKAGES.map(() => 'object') });
  });

  it('resolves an ES module import of the provided SDK from dynamic import() and nested modules of the code', async () => {
    // GIVEN an ES module handler whose own module imports the SDK dynamically
    register(
      'esm-nested',
      outside({
        'index.mjs': 'import { make } from "./lib/client.mjs"; export const handler = async () => make();',
        'lib/client.mjs':
          'export const make = async () => typeof (await import("@aws-sdk/client-dynamodb")).DynamoDBClient;',
      }),
    );
    // WHEN it is invoked
    // THEN the nested, dynamic import found the provided package
    expect(await host.invoke('esm-nested', {})).toEqual({ ok: true, payload: 'function' });
  });

  it("prefers a copy inside an ES module function's own code over the provided one", async () => {
    // GIVEN an index.mjs with its own @aws-sdk/client-sqs in its node_modules
    register(
      'esm-own',
      outside({
        'index.mjs': 'import { own } from "@aws-sdk/client-sqs"; export const handler = async () => own;',
        'node_modules/@aws-sdk/client-sqs/index.mjs': 'export const own = "bundled with the function";',
        'node_modules/@aws-sdk/client-sqs/package.json':
          '{"name":"@aws-sdk/client-sqs","type":"module","exports":"./index.mjs"}',
      }),
    );
    // WHEN it is invoked
    // THEN its own copy won
    expect(await host.invoke('esm-own', {})).toEqual({ ok: true, payload: 'bundled with the function' });
  });

  it('fails the init of an ES module handler that imports an SDK package the runtime does not provide', async () => {
    // GIVEN an index.mjs importing an @aws-sdk package that is neither provided nor bundled
    register(
      'esm-absent',
      outside({
        'index.mjs': 'import "@aws-sdk/client-not-a-real-service"; export const handler = async () => 1;',
      }),
    );
    // WHEN it is invoked
    // THEN the import fails the init, naming the package
    expect(await host.invoke('esm-absent', {})).toMatchObject({
      ok: false,
      error: {
        errorType: 'Runtime.ImportModuleError',
        errorMessage: expect.stringContaining('@aws-sdk/client-not-a-real-service') as unknown,
      },
    });
  });

  it('fails the init with Runtime.ImportModuleError for a package that is neither provided nor bundled', async () => {
    register(
      'absent',
      outside({ 'index.js': 'require("left-pad-not-installed"); exports.handler = async () => 1;' }),
    );
    expect(await host.invoke('absent', {})).toMatchObject({
      ok: false,
      error: { errorType: 'Runtime.ImportModuleError' },
    });
  });
});
