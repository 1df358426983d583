import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * The package boundaries as the project's own eslint config enforces them: its `no-restricted-imports`
 * entries, run on imports a file in each place might write.
 */
describe('package boundaries (eslint no-restricted-imports)', () => {
  let eslint: ESLint;
  beforeAll(async () => {
    const { default: config } = (await import(pathToFileURL(path.join(root, 'eslint.config.mjs')).href)) as {
      default: Linter.Config[];
    };
    const boundaries = config.filter((entry) => entry.rules?.['no-restricted-imports'] !== undefined);
    expect(boundaries.length).toBeGreaterThanOrEqual(2);
    eslint = new ESLint({
      cwd: root,
      overrideConfigFile: true,
      overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...boundaries],
    });
  });

  /** Whether every way of loading `specifier` from `file` (import, import(), require) is refused. */
  const restricted = async (file: string, specifier: string) => {
    const forms = [
      `import { x } from '${specifier}';\nexport const y = x;\n`,
      `export const y = await import('${specifier}');\n`,
      `declare const require: (id: string) => unknown;\nexport const y = require('${specifier}');\n`,
    ];
    const refused = await Promise.all(
      forms.map(async (code) => {
        const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
        return (result?.messages ?? []).some(
          (m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax',
        );
      }),
    );
    if (refused.every(Boolean)) return true;
    if (refused.some(Boolean))
      throw new Error(`only some forms of ${specifier} are refused: ${refused.join(', ')}`);
    return false;
  };

  it.each<[string, string]>([
    ['packages/constructs/src/saga/saga.ts', '../../../../app/config/index.js'],
    ['packages/local/test/core/x.test.ts', '../../../../app/functions/orders/contract.js'],
    ['packages/constructs/src/schema-registry/x.ts', '../../../schemas/src/compatibility.js'],
    ['packages/handler-kit/src/x.ts', '../../constructs/src/contracts/index.js'],
    ['packages/local/src/core/x.ts', '@conflux/constructs/dist/index.js'],
    ['app/stacks/x.ts', '../../packages/constructs/src/index.js'],
    ['bench/x.ts', '@conflux/local/src/index.js'],
  ])('refuses in %s: %s', async (file, specifier) => {
    expect(await restricted(file, specifier)).toBe(true);
  });

  it.each<[string, string]>([
    ['packages/constructs/src/saga/saga.ts', '../private/validation.js'],
    ['packages/handler-kit/src/x.ts', '@conflux/constructs/contracts'],
    ['packages/local/test/services/lambda/x.test.ts', '../../../src/services/lambda/host.js'],
    ['packages/constructs/test/x.test.ts', '../../../test/support/cdk.js'],
    ['app/stacks/x.ts', '@conflux/constructs'],
    ['app/stacks/x.ts', '../functions/orders/contract'],
  ])('allows in %s: %s', async (file, specifier) => {
    expect(await restricted(file, specifier)).toBe(false);
  });
});
