import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/cli.js';

/** A request `conflux region` sent to the runtime. */
interface SentRequest {
  readonly method: string;
  readonly url: string;
  readonly contentType?: string;
  readonly body: string;
}

/** What the runtime answers: a status and a JSON body, or a body of another kind. */
interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly contentType?: string;
}

type RegionState = { region: string; state: 'up' | 'stopped'; partitioned: boolean };

function regionState(region: string, overrides: Partial<RegionState> = {}): RegionState {
  return { region, state: 'up', partitioned: false, ...overrides };
}

function replicatedTable(
  tableName: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    tableName,
    mode: 'eventual',
    regions: ['us-east-1', 'eu-west-1'],
    pending: 0,
    delivered: 0,
    conflicts: 0,
    lag: { count: 0, p50: 0, p95: 0, max: 0 },
    ...overrides,
  };
}

/** `GET /_conflux/replication` of an app with an eventual table and a strong one, eu-west-1 stopped. */
function replicationDocument(): {
  lagMs: number;
  roundTripMs: number;
  regions: RegionState[];
  tables: unknown[];
} {
  return {
    lagMs: 250,
    roundTripMs: 40,
    regions: [
      regionState('us-east-1'),
      regionState('us-east-2'),
      regionState('us-west-2'),
      regionState('eu-west-1', { state: 'stopped', partitioned: true }),
    ],
    tables: [
      replicatedTable('Orders', {
        pending: 3,
        delivered: 120,
        conflicts: 1,
        lag: { count: 120, p50: 210, p95: 390, max: 800 },
      }),
      replicatedTable('Ledger', {
        mode: 'strong',
        regions: ['us-east-1', 'us-east-2'],
        witness: 'us-west-2',
      }),
    ],
  };
}

/** The control routes of the runtime's DynamoDB endpoint, as the spec of `conflux region` describes them. */
function controlRoutes(document: ReturnType<typeof replicationDocument>) {
  return (request: SentRequest): Answer => {
    const url = new URL(request.url, 'http://runtime');
    if (url.pathname === '/_conflux/replication' && request.method === 'GET')
      return { status: 200, body: document };
    if (url.pathname === '/_conflux/replication' && request.method === 'PUT') {
      Object.assign(document, JSON.parse(request.body) as object);
      return { status: 200, body: document };
    }
    if (url.pathname === '/_conflux/replication/settle' && request.method === 'POST')
      return { status: 200, body: { ...document, blocked: 0 } };
    const action = /^\/_conflux\/regions\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (action && request.method === 'POST') {
      const state = document.regions.find((r) => r.region === decodeURIComponent(action[1] ?? ''));
      if (!state) return { status: 404, body: { code: 'UnknownRegion', message: `no Region ${action[1]}` } };
      if (action[2] === 'stop') state.state = 'stopped';
      if (action[2] === 'start') state.state = 'up';
      if (action[2] === 'partition') state.partitioned = true;
      if (action[2] === 'heal') state.partitioned = false;
      return { status: 200, body: state };
    }
    return { status: 404, body: { code: 'NotFound', message: `no route ${request.method} ${url.pathname}` } };
  };
}

const USAGE = `usage: conflux region [--json]
       conflux region <region> stop|start|partition|heal [--json]
       conflux region settle [--timeout <ms>] [--json]
       conflux region lag|rtt <ms> [--json]
`;

/** `conflux region` as a user runs it next to a running `conflux local`: from the folder of its `.conflux/local.json`. */
describe('conflux region', () => {
  let server: Server;
  let endpoint: string;
  let folder: string;
  const requests: SentRequest[] = [];
  let answer: (request: SentRequest) => Answer;

  beforeAll(async () => {
    server = createServer((req, res) => {
      void readBody(req).then((body) => {
        const request: SentRequest = {
          method: req.method ?? '',
          url: req.url ?? '',
          ...(req.headers['content-type'] === undefined ? {} : { contentType: req.headers['content-type'] }),
          body,
        };
        requests.push(request);
        const { status, body: answered, contentType } = answer(request);
        res.writeHead(status, { 'content-type': contentType ?? 'application/json' });
        res.end(typeof answered === 'string' ? answered : JSON.stringify(answered));
      });
    });
    endpoint = await listen(server);
    folder = stateFolder({ endpoints: { dynamodb: endpoint, sqs: 'http://127.0.0.1:1' } });
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    requests.length = 0;
    answer = controlRoutes(replicationDocument());
  });

  it('prints the Regions and the replicated tables with their deliveries and lag', async () => {
    // WHEN conflux region runs with no argument
    const result = await run(folder, []);

    // THEN it reads the replication document and prints it as two tables
    expect(requests).toEqual([{ method: 'GET', url: '/_conflux/replication', body: '' }]);
    expect(result).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'lag 250 ms, round trip 40 ms',
        '',
        'REGION     STATE    PARTITIONED',
        'us-east-1  up       no',
        'us-east-2  up       no',
        'us-west-2  up       no',
        'eu-west-1  stopped  yes',
        '',
        'TABLE   MODE      REGIONS                                   PENDING  DELIVERED  CONFLICTS  LAG P50  LAG P95',
        'Orders  eventual  us-east-1, eu-west-1                      3        120        1          210 ms   390 ms',
        'Ledger  strong    us-east-1, us-east-2 (witness us-west-2)  0        0          0          -        -',
        '',
      ].join('\n'),
    });
  });

  it('prints the replication document as the runtime answers it with --json', async () => {
    // WHEN conflux region runs with --json
    const result = await run(folder, ['--json']);

    // THEN stdout is the document
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout) as unknown).toEqual(replicationDocument());
  });

  it('says so, exit 0, when the app has no replicated table', async () => {
    // GIVEN an app none of whose tables is replicated
    answer = () => ({ status: 200, body: { lagMs: 0, roundTripMs: 0, regions: [], tables: [] } });

    // WHEN conflux region runs
    const result = await run(folder, []);

    // THEN it says there is nothing replicated, and succeeds
    expect(result).toEqual({
      code: 0,
      stdout: 'the app in this folder has no replicated table\n',
      stderr: '',
    });
  });

  it.each([
    ['stop', 'us-west-2: stopped, not partitioned'],
    ['start', 'us-west-2: up, not partitioned'],
    ['partition', 'us-west-2: up, partitioned'],
    ['heal', 'us-west-2: up, not partitioned'],
  ])('%s: posts the action for the Region and prints its new state', async (action, printed) => {
    // WHEN a Region is told to do something
    const result = await run(folder, ['us-west-2', action]);

    // THEN the command posts that action with no body and prints what the Region is now
    expect(requests).toEqual([{ method: 'POST', url: `/_conflux/regions/us-west-2/${action}`, body: '' }]);
    expect(result).toEqual({ code: 0, stdout: `${printed}\n`, stderr: '' });
  });

  it('prints the state the runtime answers with --json after an action', async () => {
    // WHEN a Region is healed with --json
    const result = await run(folder, ['eu-west-1', 'heal', '--json']);

    // THEN stdout is the runtime's answer
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout) as unknown).toEqual({
      region: 'eu-west-1',
      state: 'stopped',
      partitioned: false,
    });
  });

  it("prints the runtime's message, exit 1, for a Region the app does not have", async () => {
    // WHEN a Region the app does not replicate to is stopped
    const result = await run(folder, ['ap-south-1', 'stop']);

    // THEN the 404's message is printed, and nothing else
    expect(requests.map((r) => r.url)).toEqual(['/_conflux/regions/ap-south-1/stop']);
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'conflux region: no Region ap-south-1\n' });
  });

  it('settles: waits for the deliveries, then says how many wait for a Region and prints the tables', async () => {
    // GIVEN deliveries to a stopped Region that settling cannot make
    answer = () => ({
      status: 200,
      body: { ...replicationDocument(), blocked: 3 },
    });

    // WHEN conflux region settle runs
    const result = await run(folder, ['settle']);

    // THEN it posts to settle with the runtime's own timeout, and reports what is left
    expect(requests).toEqual([{ method: 'POST', url: '/_conflux/replication/settle', body: '' }]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^settled; 3 deliveries wait for a stopped or partitioned Region\n\nlag 250 ms/,
    );
    expect(result.stdout).toContain('\nOrders  eventual  us-east-1, eu-west-1');
  });

  it('settle --timeout asks the runtime to wait that long', async () => {
    // WHEN settle is given a timeout
    const result = await run(folder, ['settle', '--timeout', '5000']);

    // THEN the timeout goes in the query, and nothing is blocked
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /_conflux/replication/settle?timeoutMs=5000',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^settled\n\n/);
  });

  it("exits 1 with the runtime's message when the deliveries do not settle in time", async () => {
    // GIVEN deliveries still pending when the timeout ends
    answer = () => ({
      status: 504,
      body: { code: 'SettleTimeout', message: '3 deliveries were still pending after 100 ms', pending: 3 },
    });

    // WHEN conflux region settle runs
    const result = await run(folder, ['settle', '--timeout', '100']);

    // THEN the message is printed, exit 1
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'conflux region: 3 deliveries were still pending after 100 ms\n',
    });
  });

  it.each([
    ['lag', '1500', { lagMs: 1500 }, 'lag 1500 ms, round trip 40 ms'],
    ['rtt', '0', { roundTripMs: 0 }, 'lag 250 ms, round trip 0 ms'],
  ])('%s %s: puts the setting and prints both settings', async (word, ms, body, printed) => {
    // WHEN a setting is changed
    const result = await run(folder, [word, ms]);

    // THEN it is put as JSON, and the settings the runtime answers are printed
    expect(requests).toEqual([
      {
        method: 'PUT',
        url: '/_conflux/replication',
        contentType: 'application/json',
        body: JSON.stringify(body),
      },
    ]);
    expect(result).toEqual({ code: 0, stdout: `${printed}\n`, stderr: '' });
  });

  it("prints the runtime's message, exit 1, for a setting it refuses", async () => {
    // GIVEN a runtime that refuses the value
    answer = () => ({
      status: 400,
      body: { code: 'ValidationError', message: 'lagMs must be at most 60000; received 99999999' },
    });

    // WHEN the lag is set
    const result = await run(folder, ['lag', '99999999']);

    // THEN its message is printed, exit 1
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'conflux region: lagMs must be at most 60000; received 99999999\n',
    });
  });

  it.each([
    [['us-west-2'], 'say what to do with us-west-2: stop, start, partition, heal.'],
    [['us-west-2', 'explode'], 'explode is not something a Region does (stop, start, partition, heal are).'],
    [['us-west-2', 'stop', 'now'], 'stop takes no argument; received now.'],
    [['lag'], 'lag takes one number of milliseconds.'],
    [['rtt', '1', '2'], 'rtt takes one number of milliseconds.'],
    [['lag', 'fast'], 'lag must be a whole number of milliseconds; received fast.'],
    [['rtt', '1.5'], 'rtt must be a whole number of milliseconds; received 1.5.'],
    [['lag', '-5'], 'milliseconds are a whole number; received -5.'],
    [['settle', 'now'], 'settle takes no argument; received now.'],
    [['settle', '--timeout', 'soon'], '--timeout must be a whole number of milliseconds; received soon.'],
    [['lag', '5', '--timeout', '10'], '--timeout goes with settle only.'],
    [['--verbose'], '--verbose is not an option of conflux region.'],
  ])('refuses %j with the usage, exit 1, and calls nothing', async (args, why) => {
    // WHEN conflux region runs with arguments it does not take
    const result = await run(folder, args);

    // THEN it says why and prints the usage, without a request
    expect(result).toEqual({ code: 1, stdout: '', stderr: `conflux region: ${why}\n${USAGE}` });
    expect(requests).toEqual([]);
  });

  it('prints the usage with --help', async () => {
    // WHEN conflux region --help runs
    const result = await run(folder, ['--help']);

    // THEN the usage is printed, exit 0, without a request
    expect(result).toEqual({ code: 0, stdout: USAGE, stderr: '' });
    expect(requests).toEqual([]);
  });

  it('tells where to start from when no conflux local ran in the folder', async () => {
    // GIVEN a folder with no .conflux/local.json
    const empty = mkdtempSync(path.join(tmpdir(), 'conflux-region-none-'));

    // WHEN conflux region runs there
    const result = await run(empty, []);

    // THEN it says to start the app first
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `conflux region: no .conflux/local.json in ${empty}: start the app with conflux local first\n`,
    });
  });

  it('says so when the running app has no DynamoDB endpoint', async () => {
    // GIVEN the state of an app with queues only
    const queuesOnly = stateFolder({ endpoints: { sqs: 'http://127.0.0.1:1' } });

    // WHEN conflux region runs there
    const result = await run(queuesOnly, []);

    // THEN it fails naming the missing endpoint
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'conflux region: the app running from this folder has no DynamoDB endpoint in .conflux/local.json, so no table of it is replicated\n',
    );
  });

  it('says the runtime is not running when nothing answers at its endpoint', async () => {
    // GIVEN the state of a run that has stopped: nothing listens at its endpoint any more
    const stopped = createServer();
    const gone = await listen(stopped);
    await new Promise((resolve) => stopped.close(resolve));
    const stale = stateFolder({ endpoints: { dynamodb: gone } });

    // WHEN conflux region runs there
    const result = await run(stale, ['us-east-1', 'stop']);

    // THEN it says the runtime is not running, in one line
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `conflux region: the runtime in this folder is not running (nothing answers at ${gone}): start the app with conflux local\n`,
    });
  });

  it('prints the status and an excerpt of an answer that is not a JSON error, without a stack', async () => {
    // GIVEN an endpoint that answers the route in another way than the runtime's control routes do
    answer = () => ({ status: 400, body: 'Bad Request\n', contentType: 'text/plain' });

    // WHEN conflux region runs
    const result = await run(folder, []);

    // THEN it names the request and the status
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'conflux region: the runtime answered GET /_conflux/replication with HTTP 400: Bad Request\n',
    });
  });

  it('says so, without a stack, when a success is not JSON or not a replication document', async () => {
    // GIVEN answers of 200 that are not what the command asked for
    answer = () => ({ status: 200, body: '<html>', contentType: 'text/html' });
    const notJson = await run(folder, []);
    answer = () => ({ status: 200, body: { tables: 'none' } });
    const notADocument = await run(folder, []);

    // THEN each fails in one line
    expect(notJson).toEqual({
      code: 1,
      stdout: '',
      stderr: 'conflux region: the runtime answered GET /_conflux/replication with no JSON: <html>\n',
    });
    expect(notADocument).toEqual({
      code: 1,
      stdout: '',
      stderr: 'conflux region: the runtime answered with no regions or tables: {"tables":"none"}\n',
    });
  });

  it('says so, without a stack, when .conflux/local.json is not JSON', async () => {
    // GIVEN a state file cut short
    const broken = stateFolder({});
    writeFileSync(path.join(broken, '.conflux', 'local.json'), '{"endpoints": {');

    // WHEN conflux region runs there
    const result = await run(broken, []);

    // THEN it says to start again, in one line
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^conflux region: cannot read \.conflux\/local\.json in .+ \(.+\): start the app with conflux local again\n$/,
    );
  });
});

/** Runs `conflux region ...` from `cwd`, collecting its exit code and output. */
async function run(
  cwd: string,
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['region', ...args], {
    cwd,
    env: {},
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  return { code, stdout, stderr };
}

/** A folder with the `.conflux/local.json` that `conflux local` writes once it is ready. */
function stateFolder(state: unknown): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'conflux-region-'));
  mkdirSync(path.join(folder, '.conflux'));
  writeFileSync(path.join(folder, '.conflux', 'local.json'), JSON.stringify(state));
  return folder;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
