import { describe, expect, it } from 'vitest';
import { checkBudgets, type BudgetFile } from '../../bench/support/budgets';
import { exact, figure, stats, type Figure } from '../../bench/support/figures';

const size = (id: string, bytes: number): Figure =>
  figure({ id, group: 'bundles', title: id, unit: 'bytes', better: 'lower', subject: exact(bytes) });
const init = (id: string, ms: number[], floor: number[]): Figure =>
  figure({
    id,
    group: 'bundles',
    title: id,
    unit: 'ms',
    better: 'lower',
    subject: stats(ms),
    baseline: { label: 'empty', stats: stats(floor) },
    withDelta: true,
  });

describe('bench budgets', () => {
  const file: BudgetFile = {
    margin: 0.25,
    budgets: [
      { match: 'bundle\\..*\\.asset-bytes', on: 'median', max: 1000, margin: 0, why: 'sizes' },
      { match: 'bundle\\..*\\.init-ms', on: 'delta', max: 60, why: 'init' },
      { match: 'gateway\\.rps', on: 'ratio', min: 0.5, why: 'throughput' },
    ],
  };

  it('passes figures within their limits and fails those beyond limit and margin', () => {
    const { verdicts, unmatched } = checkBudgets(
      [
        size('bundle.a.asset-bytes', 1000),
        size('bundle.b.asset-bytes', 1001), // sizes have no margin
        init('bundle.a.init-ms', [72, 74, 76], [1, 2, 3]), // delta 72 ≤ 60 × 1.25
        init('bundle.b.init-ms', [80, 82, 84], [1, 2, 3]), // delta 80 > 75
        figure({
          id: 'gateway.rps',
          group: 'runtime',
          title: 'rps',
          unit: 'req/s',
          better: 'higher',
          subject: exact(300),
          baseline: { label: 'bare', stats: exact(1000) }, // ratio 0.3 < 0.5 × 0.75
        }),
      ],
      file,
    );
    expect(unmatched).toEqual([]);
    expect(Object.fromEntries([...verdicts].map(([id, v]) => [id, v.ok]))).toEqual({
      'bundle.a.asset-bytes': true,
      'bundle.b.asset-bytes': false,
      'bundle.a.init-ms': true,
      'bundle.b.init-ms': false,
      'gateway.rps': false,
    });
    expect(verdicts.get('bundle.b.init-ms')?.value).toBe(80);
  });

  it('fails a budget that matches no figure, so a renamed figure cannot slip its budget', () => {
    const { unmatched } = checkBudgets([size('bundle.a.asset-bytes', 10)], file);
    expect(unmatched.map((b) => b.why)).toEqual(['init', 'throughput']);
  });

  it('anchors patterns: a budget for one figure does not judge another that contains its id', () => {
    const { verdicts } = checkBudgets([size('x.bundle.a.asset-bytes.old', 5000)], file);
    expect(verdicts.size).toBe(0);
  });
});
