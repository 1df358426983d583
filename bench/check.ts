/**
 * Checks `bench/results.json` against `bench/budgets.json`: exits 1 when a figure is worse than its budget by
 * more than the stated margin, or when a budget matches no figure. Run by hand after `npm run bench`, never
 * inside `npm test` (timings on shared machines are noisy; the margin absorbs ordinary noise only).
 *
 *   npm run bench:check
 */
import { checkBudgets } from './support/budgets';
import { formatValue } from './support/chart';
import { BUDGETS, readBudgets, readResults, RESULTS, writeChart } from './support/results';

const results = readResults();
const budgets = readBudgets();
const { verdicts, unmatched } = checkBudgets(results.figures, budgets);
const failed = [...verdicts.entries()].filter(([, v]) => !v.ok);
for (const [id, v] of verdicts) {
  const figure = results.figures.find((f) => f.id === id);
  const unit = v.budget.on === 'ratio' ? 'x' : (figure?.unit ?? 'x');
  const target = v.budget.target ? ` (target ${v.budget.target})` : '';
  console.log(
    `${v.ok ? 'ok  ' : 'FAIL'} ${id.padEnd(58)} ${v.budget.on} ${formatValue(unit, v.value)}  budget ${v.limit}${target}`,
  );
}
for (const b of unmatched)
  console.log(
    `FAIL budget /${b.match}/ matches no figure in ${RESULTS}: rename it with the figure, or drop it`,
  );
writeChart(results);
console.log(
  `\n${verdicts.size} figures checked against ${budgets.budgets.length} budgets in ${BUDGETS} (margin ${(budgets.margin * 100).toFixed(0)} %), results of ${results.generatedAt}: ${failed.length + unmatched.length === 0 ? 'all within budget' : `${failed.length} over budget, ${unmatched.length} budgets unmatched`}`,
);
process.exitCode = failed.length + unmatched.length === 0 ? 0 : 1;
