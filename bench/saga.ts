/**
 * Order placement through the offline runtime: time from `POST /v2/orders` to a terminal status (median,
 * p99) for confirmed and for compensated orders, against the baseline of `GET /v1/health` round trips in the
 * same run, and state transitions per order (what Step Functions Standard bills).
 *
 *   npm run bench:saga
 */
import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { LOCAL_CREDENTIALS } from '@conflux/local';
import { fulfilmentOf } from '../app/test/support/fulfilment';
import { runReferenceApp } from '../app/test/support/reference-app';

const app = await runReferenceApp({
  tiers: {
    free: { rate: 100, burst: 200, quotaPerDay: 1_000_000, limit: 1_000_000, windowSeconds: 60 },
    partner: { rate: 100, burst: 200, quotaPerDay: 1_000_000, limit: 1_000_000, windowSeconds: 60 },
  },
});
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
try {
  const f = fulfilmentOf(app);
  const token = await app.token({ subject: 'bench', scopes: 'orders:write orders:read', clientId: 'bench' });
  await f.stock('SKU-BENCH', 1_000_000, 100);
  await f.customer('rich', 1_000_000_000);
  await f.customer('poor', 50);
  const headers = {
    authorization: `Bearer ${token}`,
    'x-api-key': app.keys.partner ?? '',
    'content-type': 'application/json',
  };

  async function placeAndWait(customerId: string): Promise<{ ms: number; orderId: string; status: string }> {
    const t0 = performance.now();
    const response = await fetch(`${app.baseUrl}/v2/orders`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        customerId,
        items: [{ sku: 'SKU-BENCH', quantity: 1 }],
        shipTo: { region: 'eu', postcode: '1011' },
      }),
    });
    const { orderId } = (await response.json()) as { orderId: string };
    for (;;) {
      const order = await f.get(f.table.orders, { orderId });
      if (order && order.status !== 'PENDING')
        return { ms: performance.now() - t0, orderId, status: String(order.status) };
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  for (let i = 0; i < 10; i += 1) await placeAndWait('rich'); // warm: every worker started
  const n = 100;
  const confirmed: { ms: number; orderId: string }[] = [];
  const compensated: { ms: number; orderId: string }[] = [];
  for (let i = 0; i < n; i += 1) {
    confirmed.push(await placeAndWait('rich'));
    compensated.push(await placeAndWait('poor'));
  }
  const health: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const t0 = performance.now();
    await (await fetch(`${app.baseUrl}/v1/health`)).arrayBuffer();
    health.push(performance.now() - t0);
  }

  const sfn = new SFNClient({
    endpoint: app.running.runtime.endpoints.stepfunctions,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  const machine = app.running.physical(app.stacks.api.fulfilment.saga.stateMachine);
  const transitions = async (orderId: string) => {
    const { events = [] } = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn: `${machine.replace(':stateMachine:', ':execution:')}:${orderId}`,
        maxResults: 1000,
      }),
    );
    return events.filter((e) => e.type?.endsWith('StateEntered')).length;
  };
  const report = (label: string, runs: { ms: number }[]) =>
    `${label}: median ${percentile(
      runs.map((r) => r.ms),
      50,
    ).toFixed(0)} ms, p99 ${percentile(
      runs.map((r) => r.ms),
      99,
    ).toFixed(0)} ms`;
  console.log(`POST /v2/orders → terminal status, offline (${n} each, sequential, after 10 warm-up orders)`);
  console.log(
    `  ${report('CONFIRMED (4 steps)', confirmed)}; ${await transitions(confirmed[0]?.orderId ?? '')} state transitions per order`,
  );
  console.log(
    `  ${report('FAILED at charge (2 compensations)', compensated)}; ${await transitions(compensated[0]?.orderId ?? '')} state transitions per order`,
  );
  console.log(
    `  baseline GET /v1/health: median ${percentile(health, 50).toFixed(1)} ms; ratio ${(
      percentile(
        confirmed.map((r) => r.ms),
        50,
      ) / percentile(health, 50)
    ).toFixed(0)}×`,
  );
  sfn.destroy();
} finally {
  await app.stop();
}
