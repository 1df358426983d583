import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { readProject } from '../../src/cli/project.js';
import { SYNTH_STAMP, synthStamp } from '../../src/cli/synth.js';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, main, type CliIo } from '../../src/cli/cli.js';
import { LOCAL_CREDENTIALS } from '../../src/core/engines.js';
import { isAlive, ownIdentity, type LockHolder } from '../../src/core/lock.js';
import { cdkJsonContext } from '../../../../test/support/cdk.js';

const root = path.resolve(import.meta.dirname, '../../../..');
const cli = path.join(root, 'packages/local/src/cli/main.ts');

/** A user's own app with one function behind a REST API, synthesized into `<project>/cdk.out`. */
function synthesizeUserApp(project: string): string {
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
  return cdkOut;
}

interface CliRun {
  /** Resolves with the base URL of the `ready` line; rejects if the command exits first. */
  readonly ready: Promise<string>;
  readonly exit: Promise<number | null>;
  stderr(): string;
  kill(signal: NodeJS.Signals): void;
}

/** `conflux local <args>` in `cwd`, as a user runs it: node running tsx running the bin. */
function runCli(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  const child = spawn(
    process.execPath,
    [path.join(root, 'node_modules/tsx/dist/cli.mjs'), cli, 'local', ...args],
    { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const ready = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const match = /^ready (\S+)$/m.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    void exit.then((code) => {
      reject(new Error(`exited ${String(code)} before ready:\n${stderr}`));
    });
  });
  ready.catch(() => undefined);
  return { ready, exit, stderr: () => stderr, kill: (signal) => child.kill(signal) };
}

const read = (file: string) => readFileSync(file, 'utf8');
const lockOf = (project: string) => JSON.parse(read(path.join(project, '.conflux/lock'))) as LockHolder;

/** `conflux local --cdk-out <dir>` as a user runs it: a child process, a ready line, a state file, a signal. */
describe('conflux local', () => {
  let cdkOut: string;
  const newProject = () => mkdtempSync(path.join(tmpdir(), 'conflux-user-'));
  beforeAll(() => {
    cdkOut = synthesizeUserApp(newProject());
  });

  it('runs a synthesized app, prints ready, writes .conflux/local.json, and stops everything on SIGTERM', async () => {
    // GIVEN a user's own app, synthesized
    const project = newProject();

    // WHEN the command runs it
    const run = runCli(project, ['--cdk-out', cdkOut, '--port', '0']);
    const baseUrl = await run.ready;

    // THEN the gateway answers and the state file says where everything is
    const response = await fetch(`${baseUrl}/anything`);
    expect(await response.json()).toBe('hi');
    const state = JSON.parse(read(path.join(project, '.conflux/local.json'))) as {
      baseUrl: string;
      endpoints: Record<string, string>;
      resources: Record<string, string>;
    };
    expect(state.baseUrl).toBe(baseUrl);
    expect(Object.keys(state.endpoints).sort()).toEqual([
      'athena',
      'dynamodb',
      'events',
      'firehose',
      'kinesis',
      'lambda',
      's3',
      'scheduler',
      'sns',
      'sqs',
      'stepfunctions',
    ]);
    expect(Object.keys(state.resources).some((id) => id.startsWith('Hello'))).toBe(true);
    const { dynamodbLocal } = JSON.parse(read(path.join(project, '.conflux/pids.json'))) as {
      dynamodbLocal: number;
    };
    expect(existsSync(`/proc/${dynamodbLocal}`)).toBe(true);
    // AND the lock names the running command and its base URL
    const holder = lockOf(project);
    expect(holder.baseUrl).toBe(baseUrl);
    expect(read(`/proc/${holder.pid}/cmdline`)).toContain('cli/main.ts');

    // AND SIGTERM stops it, Java included, and releases the lock
    run.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    expect(existsSync(`/proc/${dynamodbLocal}`)).toBe(false);
    expect(existsSync(path.join(project, '.conflux/lock'))).toBe(false);
  });

  it('refuses a second start in the same folder, naming the running one, and leaves it alone', async () => {
    // GIVEN a running `conflux local`
    const project = newProject();
    const first = runCli(project, ['--cdk-out', cdkOut, '--port', '0']);
    const baseUrl = await first.ready;
    const files = ['local.json', 'pids.json', 'lock'].map((f) => path.join(project, '.conflux', f));
    const before = files.map(read);
    const holder = lockOf(project);
    const { dynamodbLocal } = JSON.parse(read(files[1] ?? '')) as { dynamodbLocal: number };

    // WHEN a second one starts in the same folder
    const second = runCli(project, ['--cdk-out', cdkOut, '--port', '0']);

    // THEN it refuses at once with one line naming the first one
    expect(await second.exit).toBe(2);
    expect(second.stderr()).toBe(
      `conflux local: another conflux local is running in this folder (pid ${holder.pid}, serving ${baseUrl}, ` +
        `started ${holder.startedAt}); stop it first (kill ${holder.pid}), or start this one from another folder\n`,
    );
    // AND the first one's files, DynamoDB Local and gateway are untouched
    expect(files.map(read)).toEqual(before);
    expect(existsSync(`/proc/${dynamodbLocal}`)).toBe(true);
    expect(await (await fetch(`${baseUrl}/anything`)).json()).toBe('hi');

    first.kill('SIGTERM');
    expect(await first.exit).toBe(0);
  });

  it('takes over a stale lock whose pid now runs another command', async () => {
    // GIVEN a lock left by a run whose pid is now this test process
    const project = newProject();
    mkdirSync(path.join(project, '.conflux'));
    const stale: LockHolder = {
      pid: process.pid,
      argv: [process.execPath, cli, 'local'],
      startedAt: '2020-01-01T00:00:00.000Z',
      baseUrl: 'http://127.0.0.1:3000',
    };
    writeFileSync(path.join(project, '.conflux/lock'), JSON.stringify(stale));

    // WHEN conflux local starts there
    const run = runCli(project, ['--cdk-out', cdkOut, '--port', '0']);
    const baseUrl = await run.ready;

    // THEN it says so and holds the lock itself
    expect(run.stderr()).toContain(
      `took over .conflux/lock from pid ${process.pid}, which no longer runs conflux local\n`,
    );
    const holder = lockOf(project);
    expect(holder.pid).not.toBe(process.pid);
    expect(holder.baseUrl).toBe(baseUrl);

    run.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    expect(existsSync(path.join(project, '.conflux/lock'))).toBe(false);
  });

  it('tells a live holder from a dead pid and from a pid that runs another command', () => {
    // GIVEN a process that has exited
    const dead = spawnSync(process.execPath, ['-e', '']).pid;

    // THEN only a live pid running its recorded command line counts as alive
    expect(isAlive(ownIdentity())).toBe(true);
    expect(isAlive({ pid: dead, argv: ownIdentity().argv })).toBe(false);
    expect(isAlive({ pid: process.pid, argv: [process.execPath, cli, 'local'] })).toBe(false);
  });

  it('refuses a busy port before it starts anything', async () => {
    // GIVEN something listening on the port
    const project = newProject();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = address && typeof address === 'object' ? address.port : 0;

    // WHEN conflux local is asked to use it
    const run = runCli(project, ['--cdk-out', cdkOut], { CONFLUX_PORT: String(port) });
    const code = await run.exit;
    server.close();

    // THEN it exits with one line that says what to do, having started nothing
    expect(code).toBe(1);
    expect(run.stderr()).toBe(
      `conflux local: port ${port} is in use (another process listens on 127.0.0.1); set CONFLUX_PORT or --port\n`,
    );
    expect(
      ['lock', 'pids.json', 'local.json'].filter((f) => existsSync(path.join(project, '.conflux', f))),
    ).toEqual([]);
  });

  it('says what to install when Java is not on PATH', async () => {
    // GIVEN a PATH without java
    const project = newProject();
    const emptyPath = mkdtempSync(path.join(tmpdir(), 'conflux-path-'));

    // WHEN conflux local starts
    const run = runCli(project, ['--cdk-out', cdkOut, '--port', '0'], { PATH: emptyPath });

    // THEN it exits with one line, no stack, and leaves no lock behind
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toBe(
      'conflux local: Java 17+ is needed for DynamoDB Local and was not found on PATH: install a JRE (Debian: apt-get install openjdk-17-jre-headless).\n',
    );
    expect(existsSync(path.join(project, '.conflux/lock'))).toBe(false);
    // AND it said so before any other work: no issuer keys made, nothing synthesized
    expect(existsSync(path.join(project, '.conflux/dev-issuer'))).toBe(false);
  });

  it('says which folder holds no cloud assembly when --cdk-out names a missing one, with no raw ENOENT', async () => {
    // GIVEN a folder with no synth output in it
    const project = newProject();

    // WHEN conflux local is pointed at it
    const run = runCli(project, ['--cdk-out', 'not-synthesized', '--port', '0']);

    // THEN it exits 1 with one line naming the folder and how to make one, having started nothing
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toBe(
      `conflux local: ${path.join(project, 'not-synthesized')} does not exist: pass the folder a synth wrote (cdk synth --output <dir>), e.g. cdk.out\n`,
    );
    expect(existsSync(path.join(project, '.conflux/lock'))).toBe(false);
  });

  it('stops and exits 3 with one line when DynamoDB Local dies', async () => {
    // GIVEN a running `conflux local`
    const project = newProject();
    const run = runCli(project, ['--cdk-out', cdkOut, '--port', '0']);
    await run.ready;
    const { dynamodbLocal } = JSON.parse(read(path.join(project, '.conflux/pids.json'))) as {
      dynamodbLocal: number;
    };
    const logged = run.stderr();

    // WHEN its DynamoDB Local is killed
    process.kill(dynamodbLocal, 'SIGKILL');

    // THEN it says so in one line, stops, and exits 3, releasing the lock
    expect(await run.exit).toBe(3);
    expect(run.stderr().slice(logged.length)).toBe(
      `DynamoDB Local (pid ${dynamodbLocal}) exited unexpectedly (signal SIGKILL); the runtime's tables were in its memory and are lost. Restart \`npm start\`.\n`,
    );
    expect(existsSync(path.join(project, '.conflux/lock'))).toBe(false);
    expect(existsSync(path.join(project, '.conflux/pids.json'))).toBe(false);
  });
});

/** A project folder holding `cdk.json` with `settings` and the other `files`. */
function projectWith(settings: Record<string, unknown>, files: Record<string, unknown> = {}): string {
  const project = mkdtempSync(path.join(tmpdir(), 'conflux-user-'));
  writeFileSync(path.join(project, 'cdk.json'), JSON.stringify({ app: 'npx tsx bin/app.ts', ...settings }));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
    writeFileSync(path.join(project, file), JSON.stringify(content));
  }
  return project;
}

/** `main` in this process, its output collected. */
async function runMain(
  cwd: string,
  argv: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    cwd,
    env: {},
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** What `conflux local` takes from the app's own cdk.json, and that importing it runs nothing. */
describe('conflux local, configured by cdk.json', () => {
  let cdkOut: string;
  beforeAll(() => {
    // A user's app with one table the seed files name by the end of its name.
    const project = mkdtempSync(path.join(tmpdir(), 'conflux-user-'));
    cdkOut = path.join(project, 'cdk.out');
    const app = new App({ outdir: cdkOut, context: cdkJsonContext() });
    const stack = new Stack(app, 'Seeded');
    new dynamodb.Table(stack, 'Greetings', {
      tableName: 'seeded-greetings',
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    });
    const hello = new lambda.Function(stack, 'Hello', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(`exports.handler = async () => ({ statusCode: 200, body: '"hi"' });`),
    });
    new apigw.LambdaRestApi(stack, 'Api', { handler: hello });
    app.synth();
  });
  // A run a failed expectation left behind is stopped, not orphaned.
  const runs: CliRun[] = [];
  const start = (project: string, args: string[]) => {
    const run = runCli(project, args);
    runs.push(run);
    return run;
  };
  afterEach(() => {
    for (const run of runs.splice(0)) run.kill('SIGTERM');
  });
  const demo = { description: 'demo', tables: { greetings: [{ id: 'hello' }, { id: 'bonjour' }] } };
  const other = { tables: { greetings: [{ id: 'hola' }] } };

  /** The app's assembly where conflux local keeps it, newer than cdk.json: it runs the app without a synth. */
  const synthesized = (project: string) => {
    const outdir = path.join(project, '.conflux', 'cdk.out');
    cpSync(cdkOut, outdir, { recursive: true });
    // Stamped as conflux local's own synth of this cdk.json's app stamps it.
    writeFileSync(path.join(outdir, SYNTH_STAMP), synthStamp(readProject(project), { outdir }));
    return project;
  };

  it('applies the seed conflux.local names, and --seed instead when given', async () => {
    // GIVEN an app whose cdk.json names a seed file, and another seed file beside it
    const project = synthesized(
      projectWith(
        { conflux: { local: { seed: 'seed/demo.json' } } },
        { 'seed/demo.json': demo, 'seed/other.json': other },
      ),
    );

    for (const [args, seed, ids] of [
      [[], demo, ['hello', 'bonjour']],
      [['--seed', 'seed/other.json'], other, ['hola']],
    ] as const) {
      // WHEN conflux local runs it
      const run = start(project, ['--port', '0', ...args]);
      await run.ready;

      // THEN that seed is in the table and in .conflux/local.json
      expect(run.stderr()).toContain(`seeded greetings (${ids.length})\n`);
      const state = JSON.parse(read(path.join(project, '.conflux/local.json'))) as {
        seed: unknown;
        endpoints: Record<string, string>;
      };
      expect(state.seed).toEqual(seed);
      const client = new DynamoDBClient({
        endpoint: state.endpoints.dynamodb,
        region: 'us-east-1',
        credentials: LOCAL_CREDENTIALS,
      });
      for (const id of ids) {
        const { Item } = await client.send(
          new GetItemCommand({ TableName: 'seeded-greetings', Key: { id: { S: id } } }),
        );
        expect(Item).toEqual({ id: { S: id } });
      }
      client.destroy();
      run.kill('SIGTERM');
      expect(await run.exit).toBe(EXIT.stopped);
    }
  });

  it('gives conflux.local to the app of cdk.json only, not to an assembly named with --cdk-out', async () => {
    // GIVEN a project whose cdk.json names a seed with a table the other assembly does not have
    const project = projectWith(
      { conflux: { local: { seed: 'seed/theirs.json' } } },
      { 'seed/theirs.json': { tables: { nowhere: [{ id: 'x' }] } } },
    );

    // WHEN conflux local runs another assembly from that folder
    const run = start(project, ['--cdk-out', cdkOut, '--port', '0']);
    await run.ready;

    // THEN the project's seed was not applied to it
    expect(run.stderr()).not.toContain('seed');
    run.kill('SIGTERM');
    expect(await run.exit).toBe(EXIT.stopped);
  });

  it('seeds nothing and still makes the dev issuer when cdk.json has no conflux.local section', async () => {
    // GIVEN an app whose cdk.json says nothing of conflux
    const project = projectWith({});

    // WHEN conflux local runs it
    const run = start(project, ['--cdk-out', cdkOut, '--port', '0']);
    await run.ready;

    // THEN nothing was seeded, and the dev issuer's keys are there for `npm run token`
    expect(run.stderr()).not.toContain('seeded');
    const state = JSON.parse(read(path.join(project, '.conflux/local.json'))) as { seed?: unknown };
    expect(state.seed).toBeUndefined();
    expect(existsSync(path.join(project, '.conflux/dev-issuer/jwks.json'))).toBe(true);
    run.kill('SIGTERM');
    expect(await run.exit).toBe(EXIT.stopped);
  });

  it('answers with an exit code instead of exiting, and says what is wrong with cdk.json before it starts', async () => {
    // GIVEN a folder without cdk.json, and one whose conflux.local has a typo
    const empty = mkdtempSync(path.join(tmpdir(), 'conflux-user-'));
    const typo = projectWith({ conflux: { local: { seedFile: 'seed.json' } } });

    // THEN each run returns 1 with one line, and leaves no lock
    expect(await runMain(empty, ['local'])).toEqual({
      code: EXIT.failed,
      stdout: '',
      stderr: `conflux local: no cdk.json in ${empty}: run conflux local in the folder of your app's cdk.json, or pass --app or --cdk-out.\nusage: conflux local [--app "<command>" | --cdk-out <dir>] [--port N] [--seed <file.json>]\n                     [--watch] [--persist] [--reset] [--verbose]\n       conflux fire [<rule or schedule: name, <bus|group>/<name> or ARN>]\n       conflux region [<region> stop|start|partition|heal | settle [--timeout <ms>] | lag <ms> | rtt <ms>] [--json]\n       conflux diagram [--cdk-out <dir>] [--out <file.svg>] [--png <file.png>] [--title <text>]\n`,
    });
    expect(await runMain(typo, ['local', '--cdk-out', cdkOut])).toEqual({
      code: EXIT.failed,
      stdout: '',
      stderr:
        'conflux local: cdk.json "conflux.local.seedFile" is not a setting of conflux local (devIssuerContext, seed are)\n',
    });
    expect(existsSync(path.join(typo, '.conflux/lock'))).toBe(false);
    // AND --help prints the usage
    expect(await runMain(empty, ['local', '--help'])).toMatchObject({
      code: EXIT.stopped,
      stdout:
        'usage: conflux local [--app "<command>" | --cdk-out <dir>] [--port N] [--seed <file.json>]\n                     [--watch] [--persist] [--reset] [--verbose]\n       conflux fire [<rule or schedule: name, <bus|group>/<name> or ARN>]\n       conflux region [<region> stop|start|partition|heal | settle [--timeout <ms>] | lag <ms> | rtt <ms>] [--json]\n       conflux diagram [--cdk-out <dir>] [--out <file.svg>] [--png <file.png>] [--title <text>]\n',
    });
  });
});
