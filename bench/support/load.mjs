// A small HTTP load generator, run as a child process so that it never shares an event loop with the
// server it measures: `connections` keep-alive connections, each sending the same request as soon as the
// previous answer is read, for `warmupMs` unmeasured and then `durationMs` measured.
//
//   node bench/support/load.mjs '{"url":"http://127.0.0.1:3000/v1/health","connections":16,"durationMs":5000}'
//
// Options (one JSON argument): url, method (GET), headers ({}), body (none), connections (16),
// durationMs (5000), warmupMs (1000). Prints one JSON line on stdout:
// { requests, elapsedMs, reqPerS, p50Ms, p99Ms, maxMs, statuses: { "<status>": n }, errors, cpuMs }.
// Latency is from writing the request to reading the whole response body; `cpuMs` is this process's own CPU
// (user + system) over the measured window, what the generator itself cost.
//
// `serve` mode is the baseline server: a bare node:http server on a free loopback port that answers every
// request with one recorded response, written the way the offline gateway writes its answers (`writeHead`
// with the status and headers, then `end` with the body). It prints `listening <port>` and runs until killed.
//
//   node bench/support/load.mjs serve '{"status":404,"headers":{"content-type":"application/json"},"body64":"…"}'
import { Buffer } from 'node:buffer';
import { Agent, createServer, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { setTimeout } from 'node:timers';
import { URL } from 'node:url';

if (process.argv[2] === 'serve') {
  const { status, headers, body64 } = JSON.parse(process.argv[3] ?? '{}');
  const body = Buffer.from(body64 ?? '', 'base64');
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, headers);
      res.end(body);
    });
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`listening ${server.address().port}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
  process.on('SIGINT', () => server.close(() => process.exit(0)));
} else {
  await generate(JSON.parse(process.argv[2] ?? '{}'));
}

async function generate(options) {
  const {
    url,
    method = 'GET',
    headers = {},
    body,
    connections = 16,
    durationMs = 5000,
    warmupMs = 1000,
  } = options;
  if (typeof url !== 'string') {
    process.stderr.write('load.mjs: give {"url": …} as the JSON argument\n');
    process.exit(2);
  }
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  const payload = body === undefined ? undefined : Buffer.from(String(body));
  const requestHeaders =
    payload === undefined ? headers : { ...headers, 'content-length': String(payload.length) };

  /** One request; resolves with its status, or -1 for a connection error. */
  function once() {
    return new Promise((resolve) => {
      const req = request(
        {
          agent,
          hostname: target.hostname,
          port: target.port,
          path: `${target.pathname}${target.search}`,
          method,
          headers: requestHeaders,
        },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', () => resolve(-1));
        },
      );
      req.on('error', () => resolve(-1));
      req.end(payload);
    });
  }

  let measuring = false;
  let stopped = false;
  const latencies = [];
  const statuses = {};
  let errors = 0;

  async function connection() {
    while (!stopped) {
      const t0 = performance.now();
      const status = await once();
      const ms = performance.now() - t0;
      if (!measuring || stopped) continue;
      if (status < 0) errors += 1;
      else {
        latencies.push(ms);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }
  }

  const loops = Array.from({ length: connections }, () => connection());
  await new Promise((resolve) => setTimeout(resolve, warmupMs));
  measuring = true;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  stopped = true;
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await Promise.all(loops);
  agent.destroy();

  latencies.sort((a, b) => a - b);
  const rank = (p) =>
    latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? NaN;
  process.stdout.write(
    `${JSON.stringify({
      requests: latencies.length,
      elapsedMs,
      reqPerS: (latencies.length / elapsedMs) * 1000,
      p50Ms: rank(50),
      p99Ms: rank(99),
      maxMs: latencies[latencies.length - 1] ?? NaN,
      statuses,
      errors,
      cpuMs: (cpu.user + cpu.system) / 1000,
    })}\n`,
  );
}
