import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  mkdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const PACKAGES = ['schemas', 'constructs', 'handler-kit', 'local'] as const;
const rootPackage = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const version = (name: string) => rootPackage.dependencies[name] ?? rootPackage.devDependencies[name] ?? '';

/** A CDK app of someone else's: CommonJS, its own package.json, outside the workspace. */
const APP_JS = `const path = require('node:path');
const { App, RemovalPolicy, Stack } = require('aws-cdk-lib');
const dynamodb = require('aws-cdk-lib/aws-dynamodb');
const { IdempotencyTable, QueueConsumer, QueueWithDlq } = require('@conflux/constructs');

const app = new App();
const stack = new Stack(app, 'Stranger');
const jobs = new QueueWithDlq(stack, 'Jobs');
const results = new dynamodb.Table(stack, 'Results', {
  partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
  billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
  removalPolicy: RemovalPolicy.DESTROY,
});
const idempotency = new IdempotencyTable(stack, 'Idempotency');
const worker = new QueueConsumer(stack, 'Worker', {
  queue: jobs,
  entry: path.join(__dirname, 'handler.js'),
  environment: { RESULTS_TABLE: results.tableName },
});
results.grantWriteData(worker.function);
idempotency.grantTo(worker.function);
app.synth();
`;

const HANDLER_JS = `const { PutCommand } = require('@aws-sdk/lib-dynamodb');
const { createSqsConsumer, documents, requireEnv } = require('@conflux/handler-kit');
const z = require('zod');

const table = requireEnv('RESULTS_TABLE');

exports.handler = createSqsConsumer({
  schema: z.object({ id: z.string().min(1), word: z.string() }),
  what: 'job',
  idempotencyKey: 'id',
  handle: async (job) => {
    await documents.send(new PutCommand({ TableName: table, Item: { id: job.id, shouted: job.word.toUpperCase() } }));
  },
});
`;

/**
 * Proof a stranger can use Conflux: the four packages packed as npm would publish them, installed into a
 * folder of its own with a small CommonJS CDK app, synthesized and run by that folder's `npx conflux local`;
 * a message sent to the queue shows its effect in the table.
 */
describe('the packages, installed from their tarballs into an app of its own', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'conflux-stranger-'));
  const appDir = path.join(work, 'app');
  let runtime: ChildProcess | undefined;
  let exited: Promise<number | null> | undefined;
  let output = '';

  beforeAll(async () => {
    for (const name of PACKAGES) {
      expect(existsSync(path.join(root, 'packages', name, 'dist', 'index.js')), `${name} is built`).toBe(
        true,
      );
    }
    const tarballs = path.join(work, 'tarballs');
    mkdirSync(tarballs);
    await run(
      'npm',
      [
        'pack',
        '--ignore-scripts',
        '--silent',
        '--pack-destination',
        tarballs,
        ...PACKAGES.flatMap((p) => ['-w', `packages/${p}`]),
      ],
      { cwd: root },
    );
    const tgz = (name: string) => {
      const file = readdirSync(tarballs).find((f) => f.startsWith(`conflux-${name}-`));
      if (!file) throw new Error(`npm pack made no tarball for ${name}`);
      return `file:../tarballs/${file}`;
    };
    mkdirSync(appDir);
    writeFileSync(
      path.join(appDir, 'package.json'),
      JSON.stringify(
        {
          name: 'stranger-app',
          private: true,
          dependencies: {
            '@conflux/constructs': tgz('constructs'),
            '@conflux/handler-kit': tgz('handler-kit'),
            '@conflux/schemas': tgz('schemas'),
            '@aws-sdk/lib-dynamodb': version('@aws-sdk/lib-dynamodb'),
            'aws-cdk-lib': version('aws-cdk-lib'),
            constructs: version('constructs'),
            zod: version('zod'),
          },
          devDependencies: {
            '@conflux/local': tgz('local'),
            'aws-cdk': version('aws-cdk'),
            esbuild: version('esbuild'),
          },
        },
        null,
        2,
      ),
    );
    writeFileSync(
      path.join(appDir, 'cdk.json'),
      JSON.stringify({ app: 'node app.js', context: { 'cli-telemetry': false } }, null, 2),
    );
    writeFileSync(path.join(appDir, 'app.js'), APP_JS);
    writeFileSync(path.join(appDir, 'handler.js'), HANDLER_JS);
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: appDir,
      maxBuffer: 64 * 1024 * 1024,
    });

    runtime = spawn('npx', ['conflux', 'local', '--port', '0'], {
      cwd: appDir,
      env: {
        ...process.env,
        CDK_DISABLE_CLI_TELEMETRY: 'true',
        // The DynamoDB Local jar this workspace has already fetched, rather than a second download.
        CONFLUX_CACHE_DIR: path.join(root, '.cache'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a signal reaches conflux behind npx as a terminal's Ctrl-C would.
      detached: true,
    });
    const child = runtime;
    exited = new Promise((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (/^ready /m.test(output)) resolve();
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => {
        reject(new Error(`conflux local exited ${code} before ready:\n${output}`));
      });
    });
  }, 600_000);

  afterAll(async () => {
    if (runtime?.pid !== undefined && runtime.exitCode === null && runtime.signalCode === null) {
      process.kill(-runtime.pid, 'SIGKILL');
      await exited;
    }
    rmSync(work, { recursive: true, force: true });
  });

  it('installs with no workspace around it: the constructs ship their handler built, and the app is CommonJS', () => {
    const installed = path.join(appDir, 'node_modules', '@conflux');
    expect(readdirSync(installed).sort()).toEqual(['constructs', 'handler-kit', 'local', 'schemas']);
    expect(existsSync(path.join(installed, 'constructs', 'assets', 'jwt-authorizer', 'index.js'))).toBe(true);
    expect(existsSync(path.join(installed, 'constructs', 'src'))).toBe(false);
    // The premise: the app's package.json makes its files CommonJS …
    expect(JSON.parse(readFileSync(path.join(appDir, 'package.json'), 'utf8'))).not.toHaveProperty('type');
  });

  it('loads the ESM packages with require() from CommonJS, their exports whole', async () => {
    // … and a CommonJS module of it gets the packages' exports by require().
    const probe = `const c = require('@conflux/constructs'); const k = require('@conflux/handler-kit');
      const contracts = require('@conflux/constructs/contracts');
      console.log(JSON.stringify([typeof c.QueueWithDlq, typeof c.createServiceFunction, typeof k.createSqsConsumer, contracts.IDEMPOTENCY_TABLE_NAME]));`;
    const { stdout } = await run(process.execPath, ['-e', probe], { cwd: appDir });
    expect(JSON.parse(stdout.trim().split('\n').pop() ?? '')).toEqual([
      'function',
      'function',
      'function',
      'IDEMPOTENCY_TABLE_NAME',
    ]);
  });

  it('runs the app offline with its own npx conflux local: a message sent to the queue is handled', async () => {
    const state = JSON.parse(readFileSync(path.join(appDir, '.conflux', 'local.json'), 'utf8')) as {
      endpoints: Record<string, string>;
      resources: Record<string, string>;
    };
    const queueUrl = Object.entries(state.resources).find(([id]) => /^Jobs[0-9A-F]{8}$/.test(id))?.[1];
    const table = Object.entries(state.resources).find(([id]) => id.startsWith('Results'))?.[1];
    expect(queueUrl, JSON.stringify(state.resources)).toBeDefined();
    expect(table).toBeDefined();
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    const sqs = new SQSClient({ region: 'us-east-1', endpoint: state.endpoints.sqs, credentials });
    const dynamodb = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: state.endpoints.dynamodb,
      credentials,
    });
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({ id: 'job-1', word: 'hello' }),
      }),
    );
    let items: unknown[] = [];
    for (let i = 0; i < 100 && items.length === 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      items = (await dynamodb.send(new ScanCommand({ TableName: table }))).Items ?? [];
    }
    expect(items).toEqual([{ id: { S: 'job-1' }, shouted: { S: 'HELLO' } }]);
    sqs.destroy();
    dynamodb.destroy();
  });

  it('stops on SIGTERM, engines included', async () => {
    const state = JSON.parse(readFileSync(path.join(appDir, '.conflux', 'local.json'), 'utf8')) as {
      endpoints: Record<string, string>;
    };
    if (runtime?.pid !== undefined) process.kill(-runtime.pid, 'SIGTERM');
    await exited;
    expect(output).toMatch(/SIGTERM: stopping/);
    await expect(fetch(state.endpoints.dynamodb ?? '')).rejects.toThrow();
  });
});
