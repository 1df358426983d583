import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, runApp, type RunningApp } from '../../../../test/support/runtime.js';
import { consoleApp, type ConsoleApp } from './app.js';

/** Debian's chromium, or the one `CONFLUX_CHROMIUM` names. */
const executablePath = process.env.CONFLUX_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(executablePath);
// On CI the browser test must run: a missing chromium fails it (below) rather than skipping it.
const run = haveChromium || process.env.CI !== undefined;
const outDir = path.resolve(import.meta.dirname, '../../../../test-output/console');

describe.runIf(run)('the local console in a real browser', () => {
  const fx: ConsoleApp = {};
  let running: RunningApp;
  let browser: Browser;
  let page: Page;
  const nodeId = (c: IConstruct) => {
    const stack = Stack.of(c);
    return `${stack.stackName}/${stack.getLogicalId(c.node.defaultChild as never)}`;
  };
  const node = (c: IConstruct) => page.locator(`[data-node="${nodeId(c)}"]`);
  const shot = async (name: string) => {
    await page.screenshot({ path: path.join(outDir, `${name}.png`) });
  };
  const report = (line: string) => {
    process.stdout.write(`[console browser test] ${line}\n`);
  };

  beforeAll(async () => {
    if (!haveChromium) {
      throw new Error(
        `CI is set but there is no chromium at ${executablePath}: install Debian's chromium or set CONFLUX_CHROMIUM`,
      );
    }
    mkdirSync(outDir, { recursive: true });
    running = await runApp(consoleApp(fx), { log: () => undefined });
    // GIVEN a message in the DLQ (its consumer fails on it) and a compensated execution
    await running.runtime.engines.sqs.send(
      new SendMessageCommand({
        QueueUrl: running.physical(fx.orders as IConstruct),
        MessageBody: JSON.stringify({ orderId: 'o-42', lines: 3, total: 129.5 }),
      }),
    );
    const arn = running.physical(fx.machine as IConstruct);
    await running.runtime.stepFunctions.start(arn, '{"orderId":"o-7","fail":false}', 'order-o-7').done;
    await running.runtime.stepFunctions.start(arn, '{"orderId":"o-42","fail":true}', 'order-o-42').done;
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  });
  afterAll(async () => {
    await (browser as Browser | undefined)?.close();
    await (running as RunningApp | undefined)?.stop();
  });

  it('draws the graph, peeks the DLQ, redrives it live, and shows an execution path', async () => {
    // WHEN the console opens
    const started = Date.now();
    await page.goto(`${running.runtime.baseUrl ?? ''}/_console`);
    await page.locator('body[data-graph="ready"]').waitFor();
    // performance.now() counts from the navigation's start: the time at which the graph was drawn is the load time.
    const drawnAt = Number(await page.evaluate('window.__console.graphReadyAt'));
    report(
      `page load: navigation start → graph drawn ${Math.round(drawnAt)} ms in the page (${Date.now() - started} ms for the test)`,
    );
    // THEN the graph shows the queue, the DLQ and the state machine, and the stream connects
    await expect.poll(() => node(fx.orders as IConstruct).count()).toBe(1);
    await expect.poll(() => node(fx.machine as IConstruct).count()).toBe(1);
    await page.locator('#live.on').waitFor();
    await eventually(async () =>
      (await node(fx.dlq as IConstruct).textContent())?.includes('1 dead') ? true : undefined,
    );
    await shot('1-graph');

    // WHEN the DLQ is opened
    await node(fx.dlq as IConstruct).click();
    // THEN its message is peeked, with its body
    const message = page.locator('.message').first();
    await message.waitFor();
    expect(await message.textContent()).toContain('"orderId": "o-42"');
    await shot('2-dlq-peek');

    // WHEN redrive is clicked
    await page.locator('[data-action="redrive"]').click();
    // THEN the DLQ's badge drops to 0, live (the page is told by the event stream, not by the action's answer)
    await eventually(
      async () => ((await node(fx.dlq as IConstruct).textContent())?.includes('0 dead') ? true : undefined),
      10_000,
    );
    // The page notes when the click happened and when each node's badge last changed (performance.now()).
    const latency = Number(
      await page.evaluate(
        `window.__console.badgeAt[${JSON.stringify(nodeId(fx.dlq as IConstruct))}] - window.__console.redriveClickedAt`,
      ),
    );
    report(`update latency: redrive click → DLQ badge shows 0 via SSE ${Math.round(latency)} ms`);
    await shot('3-redriven');

    // WHEN the state machine and then its failed execution are opened
    await node(fx.machine as IConstruct).click();
    await page.locator('[data-execution$=":order-o-42"]').click();
    // THEN its path shows the caught failure, the compensation and the failure, in the graph and the steps
    await page.locator('#path [data-step]').first().waitFor();
    const steps = await Promise.all(
      (await page.locator('#path [data-step]').all()).map(
        async (step) => `${await step.getAttribute('data-step')}:${await step.getAttribute('data-outcome')}`,
      ),
    );
    expect(steps).toEqual(['ReserveStock:caught', 'RefundPayment:succeeded', 'OrderFailed:failed']);
    expect(await page.locator('.state-graph [data-state="Done"]').getAttribute('data-outcome')).toBe(
      'not-run',
    );
    expect(await page.locator('.state-graph .sedge.taken.catch').count()).toBe(1);
    await shot('4-execution');

    // WHEN a new execution starts while the console is open
    const before = Date.now();
    void running.runtime.stepFunctions.start(
      running.physical(fx.machine as IConstruct),
      '{"orderId":"o-8","fail":false}',
      'order-o-8',
    );
    // THEN it shows in the activity feed
    await page.keyboard.press('Escape');
    await page.locator('#activity .item', { hasText: 'order-o-8' }).waitFor();
    report(`update latency: execution started → shown in the activity feed ${Date.now() - before} ms`);
    await shot('5-activity');
  });

  it("shows a stream's consumer position, a function's invocation logs, and the API's usage plan", async () => {
    // GIVEN records on the stream and requests with the plan's key
    for (const n of [1, 2, 3, 4]) {
      await running.runtime.engines.kinesis.send(
        new PutRecordCommand({
          StreamName: running.physical(fx.stream as IConstruct),
          PartitionKey: `user-${n}`,
          Data: new TextEncoder().encode(`{"click":${n}}`),
        }),
      );
    }
    const key = Object.values(running.runtime.apiKeys)[0] ?? '';
    await Promise.all(
      Array.from({ length: 8 }, () =>
        fetch(`${running.runtime.baseUrl ?? ''}/orders`, { headers: { 'x-api-key': key } }),
      ),
    );
    // WHEN the stream is opened
    await node(fx.stream as IConstruct).click();
    // THEN its consumer's position shows, caught up
    await eventually(async () => {
      await node(fx.stream as IConstruct).click();
      const lag = await page.locator('[data-consumer] .pill').first().textContent({ timeout: 2000 });
      return lag === '0 behind' ? true : undefined;
    });
    await shot('6-stream');
    // WHEN the failing consumer function is opened and its latest invocation expanded
    await page.locator('[data-node^="Shop/Fulfil"]').click();
    await page.locator('[data-invocation]').first().click();
    // THEN its log lines and error show
    expect(await page.locator('[data-invocation] pre').first().textContent()).toContain('fulfilling 1');
    await shot('7-function');
    // WHEN the API is opened
    await page.locator('[data-node^="Shop/Rest"]').first().click();
    // THEN its usage plan shows its counters
    await page.locator('.stat', { hasText: 'throttled' }).waitFor();
    await shot('8-api');
  });
});

if (!run) {
  describe('the local console in a real browser', () => {
    it.skip(`needs chromium at ${executablePath} (or CONFLUX_CHROMIUM); on CI it must be there`, () =>
      undefined);
  });
}
