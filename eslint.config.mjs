// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * zod as `import * as z from 'zod/mini'`, its English messages from `{ en } from 'zod/locales'`: full zod is
 * ~93 KiB of every bundle that imports it, zod/mini with English ~30 KiB. The named `z` keeps all of zod/mini
 * (~400 KiB) and `z.locales` every locale (~270 KiB). The type of a schema of either flavour is `z.core.$ZodType`.
 */
const ZOD_NAMED = {
  selector: [
    'ImportDeclaration[source.value=/^zod(\\x2Fv4(\\x2Fclassic)?)?$/]',
    'ImportExpression[source.value=/^zod(\\x2Fv4(\\x2Fclassic)?)?$/]',
    "CallExpression[callee.name='require'][arguments.0.value=/^zod(\\x2Fv4(\\x2Fclassic)?)?$/]",
    "ImportDeclaration[source.value='zod/mini'] > ImportSpecifier[imported.name='z']",
    "MemberExpression[object.name='z'][property.name='locales']",
  ].join(', '),
  message:
    "Use `import * as z from 'zod/mini'` (and `{ en } from 'zod/locales'`): full zod, the named `z` and `z.locales` keep far more of zod in every bundle.",
};

/** Where a package may not reach: the reference application, another package's files, a package's internals. */
const PACKAGE_BOUNDARIES = [
  { regex: '^(\\.\\./)+app/', message: 'A package must not import the reference application (app/).' },
  {
    regex: '^(\\.\\./)+(constructs|handler-kit|schemas|local)/(src|handlers|dist|assets)(/|$)',
    message: "Import another package by its name ('@conflux/<name>') and its exports, not its files.",
  },
  {
    regex: '^@conflux/[^/]+/(src|dist|handlers|assets)(/|$)',
    message: "Import '@conflux/<name>' or a subpath its package.json exports, not its files.",
  },
];

/** Where the app and the benchmarks may not reach: into the packages' files rather than their exports. */
const APP_BOUNDARIES = [
  {
    regex: '^(\\.\\./)+packages/',
    message: "Use a package through its name ('@conflux/<name>') and its exports.",
  },
  PACKAGE_BOUNDARIES[2],
];

/**
 * The same boundaries for `import()` and `require()`, which `no-restricted-imports` does not see (with the
 * rule every file has, since a block's `no-restricted-syntax` replaces the shared one).
 */
const dynamicImports = (boundaries) => [
  ZOD_NAMED,
  ...boundaries.flatMap(({ regex, message }) => {
    // esquery's regex literals end at the first `/`, so a slash is written `\x2F`.
    const literal = `/${regex.replaceAll('/', '\\x2F')}/`;
    return [
      { selector: `ImportExpression[source.value=${literal}]`, message },
      { selector: `CallExpression[callee.name='require'][arguments.0.value=${literal}]`, message },
    ];
  }),
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'cdk.out/',
      '.conflux/',
      '**/.cache/',
      'coverage/',
      'packages/*/dist/',
      'packages/*/assets/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-syntax': ['error', ZOD_NAMED],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // CDK constructs are instantiated for their side effects on the tree.
      'no-new': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
    },
  },
  {
    // Package boundaries: a package never reaches into the reference application, and packages reach
    // each other only through their names and public exports, as a user's code would.
    files: ['packages/**/*.ts', 'packages/**/*.mjs'],
    rules: {
      'no-restricted-imports': ['error', { patterns: PACKAGE_BOUNDARIES }],
      'no-restricted-syntax': ['error', ...dynamicImports(PACKAGE_BOUNDARIES)],
    },
  },
  {
    // The reference application and the benchmarks use the packages as a user would.
    files: ['app/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: APP_BOUNDARIES }],
      'no-restricted-syntax': ['error', ...dynamicImports(APP_BOUNDARIES)],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Command-line tools and benchmarks talk to a terminal.
    files: [
      'app/bin/redrive.ts',
      'app/bin/projections-rebuild.ts',
      'app/bin/schemas-check.ts',
      'app/bin/token.ts',
      'bench/**/*.ts',
    ],
    rules: { 'no-console': 'off' },
  },
);
