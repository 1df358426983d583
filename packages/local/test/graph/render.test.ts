import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/cli.js';
import { diagram } from '../../src/graph/cli.js';
import { buildGraph, layoutGraph, renderPng, renderSvg, type FlowGraph } from '../../src/graph/index.js';
import { att, functionWithPolicy, queue, ref, stack } from './fixtures.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Two stacks: a topic and its subscribed queue (with a DLQ) in one, the queue's consumer in the other. */
function sample(): FlowGraph {
  return buildGraph([
    stack(
      'messaging',
      {
        Events: { Type: 'AWS::SNS::Topic', Properties: {} },
        Refunds: queue('RefundsDlq'),
        RefundsDlq: queue(),
        Subscription: {
          Type: 'AWS::SNS::Subscription',
          Properties: {
            TopicArn: ref('Events'),
            Endpoint: att('Refunds'),
            FilterPolicy: { eventType: ['OrderCancelled'] },
          },
        },
      },
      { RefundsArn: { Value: att('Refunds'), Export: { Name: 'RefundsArn' } } },
    ),
    stack('api', {
      ...functionWithPolicy('RefundConsumer', [{ Action: 'dynamodb:PutItem', Resource: att('Refund') }]),
      Refund: { Type: 'AWS::DynamoDB::Table', Properties: {} },
      Mapping: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: {
          EventSourceArn: { 'Fn::ImportValue': 'RefundsArn' },
          FunctionName: ref('RefundConsumer'),
        },
      },
    }),
  ]);
}

describe('layoutGraph', () => {
  it('places every node inside its stack group, left to right along the flow', async () => {
    // GIVEN
    const graph = sample();

    // WHEN
    const laid = await layoutGraph(graph);

    // THEN
    expect(laid.groups.map((g) => g.stack).sort()).toEqual(['api', 'messaging']);
    for (const n of laid.nodes) {
      const group = laid.groups.find((g) => g.stack === n.stack);
      expect(group).toBeDefined();
      if (!group) continue;
      expect(n.x).toBeGreaterThanOrEqual(group.x);
      expect(n.y).toBeGreaterThanOrEqual(group.y);
      expect(n.x + n.width).toBeLessThanOrEqual(group.x + group.width);
      expect(n.y + n.height).toBeLessThanOrEqual(group.y + group.height);
    }
    const x = (id: string) => laid.nodes.find((n) => n.id === id)?.x ?? Number.NaN;
    expect(x('messaging/Refunds')).toBeGreaterThan(x('messaging/Events'));
    expect(x('api/RefundConsumer')).toBeGreaterThan(x('messaging/Refunds'));
    for (const e of laid.edges) expect(e.points.length).toBeGreaterThanOrEqual(2);
    expect(laid.width).toBeGreaterThan(0);
  });
});

describe('renderSvg / renderPng', () => {
  it('draws the labels, a legend, DLQs and cross-stack edges as such, the same bytes every time', async () => {
    // GIVEN
    const graph = sample();

    // WHEN
    const svg = renderSvg(await layoutGraph(graph), { title: 'Refunds & <more>' });
    const again = renderSvg(await layoutGraph(sample()), { title: 'Refunds & <more>' });

    // THEN
    expect(again).toBe(svg);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('Refunds &#38; &#60;more&#62;');
    for (const text of [
      'Events',
      'Refunds',
      'Refund Consumer',
      'eventType: OrderCancelled',
      'stack messaging',
      'Legend',
    ])
      expect(svg).toContain(`>${text}<`);
    expect(svg).toMatch(/<g class="node dlq">.*stroke-dasharray/);
    expect(svg).toContain('class="edge dead-letter"');
    expect(svg).toContain('stroke="#FACC15"'); // the cross-stack underlay
    expect(svg).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });

  it('rasterizes the SVG to a PNG', async () => {
    // GIVEN
    const svg = renderSvg(await layoutGraph(sample()));

    // WHEN
    const png = renderPng(svg);

    // THEN
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(png.length).toBeGreaterThan(1000);
  });
});

describe('conflux diagram', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'conflux-diagram-test-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const io = () => {
    const out = { stdout: '', stderr: '' };
    const cli: CliIo = {
      cwd: dir,
      env: {},
      stdout: (t) => {
        out.stdout += t;
      },
      stderr: (t) => {
        out.stderr += t;
      },
    };
    return { cli, out };
  };

  it('writes the SVG and the PNG of a cloud assembly', async () => {
    // GIVEN a cdk.out with one stack
    const cdkOut = path.join(dir, 'cdk.out');
    mkdirSync(cdkOut, { recursive: true });
    writeFileSync(
      path.join(cdkOut, 'manifest.json'),
      JSON.stringify({
        artifacts: {
          App: {
            type: 'aws:cloudformation:stack',
            properties: { templateFile: 'App.template.json', stackName: 'app' },
          },
        },
      }),
    );
    writeFileSync(
      path.join(cdkOut, 'App.template.json'),
      JSON.stringify({ Resources: { Work: queue('WorkDlq'), WorkDlq: queue() } }),
    );
    const { cli, out } = io();

    // WHEN
    const code = await diagram(['--out', 'docs/flow.svg', '--png', 'docs/flow.png'], cli);

    // THEN
    expect(out.stderr).toBe('');
    expect(code).toBe(0);
    expect(out.stdout).toContain('diagram: 2 nodes, 1 edges (0 across stacks) from 1 stacks');
    expect(readFileSync(path.join(dir, 'docs/flow.svg'), 'utf8')).toContain('>Work Dlq<');
    expect(readFileSync(path.join(dir, 'docs/flow.png')).subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  });

  it('fails with the reason when the folder holds no cloud assembly', async () => {
    // GIVEN
    const { cli, out } = io();

    // WHEN
    const code = await diagram(['--cdk-out', 'missing'], cli);

    // THEN
    expect(code).toBe(1);
    expect(out.stderr).toMatch(/missing does not exist: pass the folder a synth wrote/);
    expect(existsSync(path.join(dir, 'architecture.svg'))).toBe(false);
  });

  it('fails with the usage on an unknown option', async () => {
    // GIVEN
    const { cli, out } = io();

    // WHEN
    const code = await diagram(['--colour', 'red'], cli);

    // THEN
    expect(code).toBe(1);
    expect(out.stderr).toMatch(/--colour[\s\S]*usage: conflux diagram/);
  });
});
