// @ts-check
import root from '../../eslint.config.mjs';

/**
 * The project's rules, minus the third-party apps under `apps/`: they are kept as published (see each
 * `apps/<name>/SOURCE.md`), so they are not held to this project's style. ESLint uses the config nearest to a file.
 */
export default [{ ignores: ['apps/'] }, ...root];
