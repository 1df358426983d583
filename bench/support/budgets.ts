/**
 * Budgets (`bench/budgets.json`): for the figures an id pattern matches, the worst value the project
 * accepts, on the median, the ratio to the baseline or the difference from it. A figure fails its budget when
 * it is worse than the limit by more than the file's margin (these machines are noisy); a budget that
 * matches no figure fails too, so a renamed figure cannot slip its budget.
 */
import type { Figure } from './figures';
import { formatValue } from './chart';

export interface Budget {
  /** Regular expression over figure ids (anchored at both ends). */
  readonly match: string;
  /** Which number of the figure is judged. */
  readonly on: 'median' | 'ratio' | 'delta';
  readonly max?: number;
  readonly min?: number;
  /** The issue's or the design's target, when the budget is looser than it (a target not yet met). */
  readonly target?: string;
  /** This budget's own margin (0 for sizes, which do not vary between runs); else the file's. */
  readonly margin?: number;
  /** Why this limit. */
  readonly why: string;
}

export interface BudgetFile {
  /** Allowed excess over a limit before a figure fails, as a fraction (0.25 = 25 % worse). */
  readonly margin: number;
  readonly budgets: readonly Budget[];
}

export interface Verdict {
  readonly ok: boolean;
  /** The limit in words, e.g. `≤ 250.0 KiB`. */
  readonly limit: string;
  readonly value: number;
  readonly budget: Budget;
}

export interface Check {
  readonly verdicts: ReadonlyMap<string, Verdict>;
  /** Budgets that matched no figure. */
  readonly unmatched: readonly Budget[];
}

function valueOf(figure: Figure, on: Budget['on']): number | undefined {
  if (on === 'median') return figure.subject.median;
  if (on === 'ratio') return figure.ratio;
  return figure.delta;
}

export function checkBudgets(figures: readonly Figure[], file: BudgetFile): Check {
  const verdicts = new Map<string, Verdict>();
  const unmatched: Budget[] = [];
  for (const budget of file.budgets) {
    const pattern = new RegExp(`^(?:${budget.match})$`);
    const matched = figures.filter((f) => pattern.test(f.id));
    if (matched.length === 0) unmatched.push(budget);
    const margin = budget.margin ?? file.margin;
    for (const figure of matched) {
      const value = valueOf(figure, budget.on);
      const unit = budget.on === 'ratio' ? 'x' : figure.unit;
      const parts: string[] = [];
      let ok = value !== undefined && Number.isFinite(value);
      if (budget.max !== undefined) {
        parts.push(`${budget.on === 'median' ? '' : `${budget.on} `}≤ ${formatValue(unit, budget.max)}`);
        ok &&= (value ?? Infinity) <= budget.max * (1 + margin);
      }
      if (budget.min !== undefined) {
        parts.push(`${budget.on === 'median' ? '' : `${budget.on} `}≥ ${formatValue(unit, budget.min)}`);
        ok &&= (value ?? -Infinity) >= budget.min * (1 - margin);
      }
      verdicts.set(figure.id, { ok, limit: parts.join(', '), value: value ?? NaN, budget });
    }
  }
  return { verdicts, unmatched };
}
