import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { cdkJsonContext } from '../support/cdk';

const root = path.resolve(import.meta.dirname, '../..');

/** `conflux local --cdk-out <dir>` as a user runs it: a child process, a ready line, a state file, a signal. */
describe('conflux local', () => {
  it('runs a synthesized app, prints ready, writes .conflux/local.json, and stops everything on SIGTERM', async () => {
    // GIVEN a user's own app, synthesized
    const project = mkdtempSync(path.join(tmpdir(), 'conflux-user-'));
    const cdkOut = path.join(project, 'cdk.out');
    const app = new App({ outdir: cdkOut, context: cdkJsonContext() });
    const stack = new Stack(app, 'UserApp');
    const hello = new lambda.Function(stack, 'Hello', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(`exports.handler = async () => ({ statusCode: 200, body: '"hi"' });`),
    });
    new apigw.LambdaRestApi(stack, 'Api', { handler: hello });
    app.synth();

    // WHEN the command runs it
    const child = spawn(
      path.join(root, 'node_modules/.bin/tsx'),
      [path.join(root, 'bin/conflux-local.ts'), 'local', '--cdk-out', cdkOut, '--port', '0'],
      {
        cwd: project,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const baseUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const match = /^ready (\S+)$/m.exec(out);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', (code) => {
        reject(new Error(`exited ${String(code)} before ready:\n${stderr}`));
      });
    });

    // THEN the gateway answers and the state file says where everything is
    const response = await fetch(`${baseUrl}/anything`);
    expect(await response.json()).toBe('hi');
    const state = JSON.parse(readFileSync(path.join(project, '.conflux/local.json'), 'utf8')) as {
      baseUrl: string;
      endpoints: Record<string, string>;
      resources: Record<string, string>;
    };
    expect(state.baseUrl).toBe(baseUrl);
    expect(Object.keys(state.endpoints).sort()).toEqual([
      'dynamodb',
      'kinesis',
      'lambda',
      's3',
      'sns',
      'sqs',
      'stepfunctions',
    ]);
    expect(Object.keys(state.resources).some((id) => id.startsWith('Hello'))).toBe(true);
    const { dynamodbLocal } = JSON.parse(readFileSync(path.join(project, '.conflux/pids.json'), 'utf8')) as {
      dynamodbLocal: number;
    };
    expect(existsSync(`/proc/${dynamodbLocal}`)).toBe(true);

    // AND SIGTERM stops it, Java included
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(`/proc/${dynamodbLocal}`)).toBe(false);
  });
});
