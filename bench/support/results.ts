/** Where the suite's results, chart and budgets live, and how they are read and drawn. */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import * as path from 'node:path';
import { checkBudgets, type BudgetFile } from './budgets';
import { renderChart } from './chart';
import type { Figure } from './figures';

export interface Results {
  readonly generatedAt: string;
  readonly machine: string;
  readonly figures: readonly Figure[];
}

const bench = path.resolve(import.meta.dirname, '..');
export const RESULTS = path.join(bench, 'results.json');
export const CHART = path.join(bench, 'results.svg');
export const BUDGETS = path.join(bench, 'budgets.json');

/** This machine in one line, for the results and the chart. */
export function machine(): string {
  const cpu = cpus();
  const handlers = process.env.BENCH_NODE ? ` (handlers: ${process.env.BENCH_NODE})` : '';
  return `Node ${process.versions.node}${handlers}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'cpu'}, ${process.platform}`;
}

export function readResults(): Results {
  return JSON.parse(readFileSync(RESULTS, 'utf8')) as Results;
}

export function readBudgets(): BudgetFile {
  return JSON.parse(readFileSync(BUDGETS, 'utf8')) as BudgetFile;
}

/** Draws `results` with the budgets' verdicts into the chart file. */
export function writeChart(results: Results): void {
  const { verdicts } = checkBudgets(results.figures, readBudgets());
  writeFileSync(CHART, renderChart(results.figures, verdicts, results));
}
