import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FlowGraph, FlowNode } from '@conflux/local';
import { DIAGRAM_FILES, referenceDiagram, type ReferenceDiagram } from '../bin/diagram';

const root = path.resolve(import.meta.dirname, '../..');

/** The nodes reachable from `from` along edges of the given kinds. */
function reachable(graph: FlowGraph, from: string, kinds: readonly string[]): Set<string> {
  const seen = new Set([from]);
  const queue = [from];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const edge of graph.edges) {
      if (edge.from !== id || !kinds.includes(edge.kind) || seen.has(edge.to)) continue;
      seen.add(edge.to);
      queue.push(edge.to);
    }
  }
  return seen;
}

describe('the architecture diagram of the reference app', () => {
  let diagram: ReferenceDiagram;
  let byId: Map<string, FlowNode>;
  beforeAll(async () => {
    diagram = await referenceDiagram();
    byId = new Map(diagram.graph.nodes.map((n) => [n.id, n]));
  });

  it('is the committed docs/architecture.svg', () => {
    // GIVEN
    const committed = readFileSync(path.join(root, DIAGRAM_FILES.svg), 'utf8');

    // THEN
    if (diagram.svg !== committed) expect.fail('docs/architecture.svg is out of date: run npm run diagram');
    expect(diagram.svg).toBe(committed);
  });

  it('draws every queue that receives dead letters or failures as a DLQ', () => {
    // GIVEN
    const { edges } = diagram.graph;

    // WHEN
    const receivers = edges
      .filter((e) => e.kind === 'dead-letter' || e.kind === 'on-failure')
      .map((e) => byId.get(e.to))
      .filter((n) => n?.type === 'AWS::SQS::Queue');

    // THEN
    expect(receivers.length).toBeGreaterThanOrEqual(10);
    expect(receivers.filter((n) => n?.kind !== 'dlq')).toEqual([]);
  });

  it('gives every polled consumer function a DLQ on its queue or an on-failure destination', () => {
    // GIVEN
    const { edges } = diagram.graph;
    const polled = edges.filter((e) => e.kind === 'event-source' && byId.get(e.to)?.kind === 'function');

    // THEN
    expect(polled.length).toBeGreaterThanOrEqual(10);
    const unguarded = polled.filter(
      (e) =>
        !edges.some(
          (d) =>
            (d.kind === 'dead-letter' && d.from === e.from) || (d.kind === 'on-failure' && d.from === e.to),
        ),
    );
    expect(unguarded.map((e) => e.id)).toEqual([]);
  });

  it('crosses stacks where the API stack publishes domain events and consumes the messaging queues', () => {
    // GIVEN
    const cross = diagram.graph.edges.filter((e) => e.crossStack);

    // THEN
    expect(cross.some((e) => e.kind === 'writes' && byId.get(e.to)?.kind === 'topic')).toBe(true);
    expect(cross.some((e) => e.kind === 'event-source' && byId.get(e.from)?.kind === 'queue')).toBe(true);
    for (const e of cross) expect(byId.get(e.from)?.stack).not.toBe(byId.get(e.to)?.stack);
  });

  it('follows POST /v1/orders through the orders function to the place-order saga and its services', () => {
    // GIVEN
    const route = diagram.graph.nodes.find((n) => n.kind === 'route' && n.label === 'POST /v1/orders');
    expect(route).toBeDefined();

    // WHEN
    const reached = [...reachable(diagram.graph, route?.id ?? '', ['invoke', 'task'])].map((id) =>
      byId.get(id),
    );

    // THEN
    const saga = reached.find(
      (n) => n?.kind === 'state-machine' && n.logicalId.startsWith('FulfilmentPlaceOrder'),
    );
    expect(saga).toBeDefined();
    const steps = diagram.graph.edges
      .filter((e) => e.from === saga?.id && e.kind === 'task')
      .map((e) => byId.get(e.to)?.kind);
    expect(steps.filter((k) => k === 'function').length).toBeGreaterThanOrEqual(3);
  });

  it('routes the webhooks straight to a queue with a DLQ, and telemetry to a stream delivered to the lake', () => {
    // GIVEN
    const { graph } = diagram;
    const target = (label: string, kind: string) =>
      graph.edges.find((e) => byId.get(e.from)?.label === label && e.kind === kind)?.to;

    // WHEN
    const inbox = target('POST /v1/webhooks/stripe', 'writes');
    const telemetry = target('POST /v1/telemetry', 'writes');

    // THEN
    expect(inbox && byId.get(inbox)?.kind).toBe('queue');
    expect(graph.edges.some((e) => e.from === inbox && e.kind === 'dead-letter')).toBe(true);
    expect(telemetry && byId.get(telemetry)?.kind).toBe('stream');
    const downstream = [...reachable(graph, telemetry ?? '', ['event-source', 'delivery'])].map(
      (id) => byId.get(id)?.kind,
    );
    expect(downstream).toEqual(expect.arrayContaining(['delivery-stream', 'bucket']));
  });
});
