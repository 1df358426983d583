/**
 * The shape every benchmark reports in, and the statistics it is built from. A figure is one measured
 * quantity (the subject) and, where one makes sense, the same quantity for a baseline measured in the same
 * run on the same machine; `ratio` is subject ÷ baseline of the medians.
 */

/** Summary of repeated samples. */
export interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** 99th percentile (nearest rank); the same as `max` for fewer than 100 samples. */
  readonly p99: number;
  /** Number of samples. */
  readonly runs: number;
}

export type Unit = 'ms' | 'µs' | 'bytes' | 'records/s' | 'req/s' | 'events/s' | 'x';

export interface Figure {
  /** Stable key, dotted: `<group>.<subject>.<quantity>`, e.g. `bundle.orders-api.init-ms`. Budgets use it. */
  readonly id: string;
  /** The benchmark that produced it: `bundles`, `synth`, `consumers`, `runtime`, `event-store`, `saga`, `schemas`. */
  readonly group: string;
  /** What a person reads: what was measured, in a few words. */
  readonly title: string;
  readonly unit: Unit;
  /** Whether a smaller or a larger value is the better one. */
  readonly better: 'lower' | 'higher';
  readonly subject: Stats;
  /** The floor or reference this figure is judged against, measured in the same run. */
  readonly baseline?: { readonly label: string; readonly stats: Stats };
  /** subject.median ÷ baseline.median. */
  readonly ratio?: number;
  /** subject.median − baseline.median (same unit), where the difference is what a target speaks of. */
  readonly delta?: number;
  /** Anything a reader needs to interpret it (what the baseline is, what a sample is). */
  readonly note?: string;
}

/** Statistics of `samples` (at least one). */
export function stats(samples: readonly number[]): Stats {
  if (samples.length === 0) throw new Error('stats: no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
  return {
    median:
      sorted.length % 2 === 1
        ? (sorted[(sorted.length - 1) / 2] ?? NaN)
        : ((sorted[sorted.length / 2 - 1] ?? NaN) + (sorted[sorted.length / 2] ?? NaN)) / 2,
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
    p99: rank(99),
    runs: sorted.length,
  };
}

/** A single measured value (a size, say): every statistic is that value. */
export function exact(value: number): Stats {
  return { median: value, min: value, max: value, p99: value, runs: 1 };
}

/** A figure with its ratio (and delta) to the baseline filled in. */
export function figure(fields: Omit<Figure, 'ratio' | 'delta'> & { readonly withDelta?: boolean }): Figure {
  const { withDelta, ...rest } = fields;
  if (!rest.baseline) return rest;
  const ratio = rest.subject.median / rest.baseline.stats.median;
  return {
    ...rest,
    ratio: Number.isFinite(ratio) ? ratio : undefined,
    ...(withDelta ? { delta: rest.subject.median - rest.baseline.stats.median } : {}),
  };
}

/** Runs `fn` `runs` times after `warmup` unmeasured runs; returns the wall times in ms. */
export async function timed(runs: number, fn: () => unknown, warmup = 0): Promise<number[]> {
  for (let i = 0; i < warmup; i += 1) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return samples;
}

/** One line per figure, for the terminal. */
export function formatFigure(f: Figure): string {
  const value = (n: number) =>
    f.unit === 'bytes'
      ? `${(n / 1024).toFixed(1)} KiB`
      : f.unit === 'x'
        ? `${n.toFixed(2)}×`
        : `${n >= 100 ? n.toFixed(0) : n.toFixed(1)} ${f.unit}`;
  const spread =
    f.subject.runs > 1 ? ` [${value(f.subject.min)} … ${value(f.subject.max)}, n=${f.subject.runs}]` : '';
  const base = f.baseline
    ? ` vs ${f.baseline.label} ${value(f.baseline.stats.median)} → ${f.ratio?.toFixed(2) ?? '—'}×${f.delta === undefined ? '' : ` (Δ ${value(f.delta)})`}`
    : '';
  return `${f.id.padEnd(44)} ${value(f.subject.median)}${spread}${base}`;
}

/** What a benchmark module exports: `run` measures and returns its figures (it prints nothing itself). */
export interface Benchmark {
  readonly group: string;
  run(): Promise<Figure[]>;
}
