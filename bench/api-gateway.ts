/**
 * The API's costs, each against a baseline measured in the same run:
 *  1. the authorizer's cold start: bundle size and init time (module load + first verified token), against
 *     the health handler's;
 *  2. p50/p99 latency of an authorized, keyed, rate-limited request through the offline gateway
 *     (`GET /v2/orders/{id}`), against the open `GET /v1/health` (no authorizer, no limiter);
 *  3. the DynamoDB limiter's accuracy under concurrency: admitted / limit at several concurrencies.
 *
 *   npm run bench:api
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { DEV_ISSUER, devIssuerKeys, issueDevToken } from '@conflux/local';
import { runReferenceApp } from '../app/test/support/reference-app';

const root = path.resolve(import.meta.dirname, '..');
const work = mkdtempSync(path.join(tmpdir(), 'conflux-bench-'));
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

async function bundle(name: string, entry: string): Promise<string> {
  const outfile = path.join(work, `${name}.cjs`);
  await build({
    entryPoints: [path.join(root, entry)],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

/** Loads a bundle in a fresh Node process and invokes it once: what a Lambda cold start pays for code. */
function coldStart(
  file: string,
  event: unknown,
  env: Record<string, string>,
): { initMs: number; firstMs: number } {
  const script = `
    const t0 = performance.now();
    const { handler } = require(${JSON.stringify(file)});
    const t1 = performance.now();
    Promise.resolve(handler(${JSON.stringify(event)}, {})).then(() => {
      const t2 = performance.now();
      process.stdout.write(JSON.stringify({ initMs: t1 - t0, firstMs: t2 - t1 }));
    }, (e) => { process.stderr.write(String(e)); process.exit(1); });`;
  const out = execFileSync(process.execPath, ['-e', script], {
    env: { ...process.env, ...env, POWERTOOLS_LOG_LEVEL: 'ERROR', POWERTOOLS_TRACE_ENABLED: 'false' },
    encoding: 'utf8',
  });
  return JSON.parse(out) as { initMs: number; firstMs: number };
}

// 1. Authorizer cold start
const issuerDir = path.join(work, 'issuer');
const { jwks } = await devIssuerKeys(issuerDir);
const token = await issueDevToken(issuerDir, { subject: 'bench', scopes: 'orders:read' });
const authorizer = await bundle('authorizer', 'packages/constructs/handlers/jwt-authorizer/handler.ts');
const health = await bundle('health', 'app/functions/platform/health.handler.ts');
const runs = 7;
const authRuns = Array.from({ length: runs }, () =>
  coldStart(
    authorizer,
    {
      type: 'TOKEN',
      authorizationToken: `Bearer ${token}`,
      methodArn: 'arn:aws:execute-api:us-east-1:000000000000:api/dev/GET/v2/orders/1',
    },
    {
      JWT_ISSUER: DEV_ISSUER.issuer,
      JWT_AUDIENCE: DEV_ISSUER.audience,
      JWKS_JSON: JSON.stringify(jwks),
      ROUTE_SCOPES: JSON.stringify({ 'GET /v2/orders/{orderId}': ['orders:read'] }),
    },
  ),
);
const healthRuns = Array.from({ length: runs }, () =>
  coldStart(health, { requestContext: { requestId: 'r' } }, { SERVICE_VERSION: '0' }),
);
const kib = (file: string) => (statSync(file).size / 1024).toFixed(0);
console.log(`authorizer cold start (median of ${runs} fresh processes)`);
console.log(
  `  authorizer: bundle ${kib(authorizer)} KiB, init ${median(authRuns.map((r) => r.initMs)).toFixed(1)} ms, first verified token ${median(authRuns.map((r) => r.firstMs)).toFixed(1)} ms`,
);
console.log(
  `  baseline health: bundle ${kib(health)} KiB, init ${median(healthRuns.map((r) => r.initMs)).toFixed(1)} ms, first call ${median(healthRuns.map((r) => r.firstMs)).toFixed(1)} ms`,
);
console.log(
  `  ratio init authorizer/health: ${(median(authRuns.map((r) => r.initMs)) / median(healthRuns.map((r) => r.initMs))).toFixed(1)}`,
);

// 2. Latency through the offline gateway
const limit = 25;
const app = await runReferenceApp({
  tiers: {
    free: { rate: 100, burst: 200, quotaPerDay: 1_000_000, limit: 1_000_000, windowSeconds: 60 },
    partner: { rate: 100, burst: 200, quotaPerDay: 1_000_000, limit, windowSeconds: 60 },
  },
});
try {
  const key = app.keys.free ?? '';
  const authorized = await app.token({ scopes: 'orders:read', clientId: 'latency' });
  const time = async (url: string, headers: Record<string, string>) => {
    const t0 = performance.now();
    const response = await fetch(url, { headers });
    await response.arrayBuffer();
    return performance.now() - t0;
  };
  const n = 400;
  const measure = async (url: string, headers: Record<string, string>) => {
    for (let i = 0; i < 20; i += 1) await time(url, headers); // warm: workers started, authorizer cached
    const samples: number[] = [];
    for (let i = 0; i < n; i += 1) samples.push(await time(url, headers));
    return samples.sort((a, b) => a - b);
  };
  const open = await measure(`${app.baseUrl}/v1/health`, {});
  const guarded = await measure(`${app.baseUrl}/v2/orders/${randomUUID()}`, {
    authorization: `Bearer ${authorized}`,
    'x-api-key': key,
  });
  console.log(`\nlatency through the offline gateway (${n} sequential requests after 20 warm-up)`);
  console.log(
    `  GET /v2/orders/{id} (authorizer cached, key, limiter, DynamoDB read): p50 ${percentile(guarded, 50).toFixed(1)} ms, p99 ${percentile(guarded, 99).toFixed(1)} ms`,
  );
  console.log(
    `  baseline GET /v1/health (open, no I/O): p50 ${percentile(open, 50).toFixed(1)} ms, p99 ${percentile(open, 99).toFixed(1)} ms`,
  );
  console.log(`  ratio p50: ${(percentile(guarded, 50) / percentile(open, 50)).toFixed(1)}`);

  // 3. Limiter accuracy under concurrency
  console.log(
    `\nlimiter accuracy (partner tier, limit ${limit} per 60 s window, one client, concurrent requests)`,
  );
  const partner = app.keys.partner ?? '';
  for (const concurrency of [10, 25, 50, 100, 200]) {
    const clientToken = await app.token({ scopes: 'orders:read', clientId: `accuracy-${randomUUID()}` });
    const statuses = await Promise.all(
      Array.from({ length: concurrency }, async () => {
        const response = await fetch(`${app.baseUrl}/v2/orders/${randomUUID()}`, {
          headers: { authorization: `Bearer ${clientToken}`, 'x-api-key': partner },
        });
        await response.arrayBuffer();
        return { status: response.status, remaining: response.headers.get('x-ratelimit-remaining') };
      }),
    );
    const admitted = statuses.filter((s) => s.status === 404).length;
    const limited = statuses.filter((s) => s.status === 429).length;
    const other = statuses.length - admitted - limited;
    const expected = Math.min(concurrency, limit);
    const distinct = new Set(statuses.filter((s) => s.status === 404).map((s) => s.remaining)).size;
    console.log(
      `  ${String(concurrency).padStart(4)} concurrent: admitted ${admitted} (expected ${expected}, accuracy ${((admitted / expected) * 100).toFixed(1)} %), 429 ${limited}, other ${other}, distinct remaining values ${distinct}`,
    );
  }
} finally {
  await app.stop();
  rmSync(work, { recursive: true, force: true });
}
