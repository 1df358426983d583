import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { glob } from '../../src/cli/glob.js';
import { newestSource, readProject } from '../../src/cli/project.js';
import { isCurrent, SYNTH_STAMP, synthArgs, synthStamp } from '../../src/cli/synth.js';

/** A project folder with `files` (relative path → content), each modified `ageSeconds` ago (default 100). */
function project(files: Record<string, string>, ages: Record<string, number> = {}): string {
  const root = mkdtempSync(path.join(tmpdir(), 'conflux-project-'));
  const now = Date.now() / 1000;
  for (const [file, content] of Object.entries(files)) {
    const full = path.join(root, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
    const at = now - (ages[file] ?? 100);
    utimesSync(full, at, at);
  }
  return root;
}

const cdkJson = (settings: Record<string, unknown>) =>
  JSON.stringify({ app: 'npx tsx bin/app.ts', ...settings });

describe('cdk.json settings of conflux local', () => {
  it('reads the dev issuer context and the seed from conflux.local', () => {
    // GIVEN a cdk.json with a conflux.local section
    const root = project({
      'cdk.json': cdkJson({ conflux: { local: { devIssuerContext: 'shop:auth', seed: 'seed/dev.json' } } }),
    });

    // THEN both settings are read
    expect(readProject(root).local).toEqual({ devIssuerContext: 'shop:auth', seed: 'seed/dev.json' });
  });

  it('has no settings when cdk.json has no conflux.local section, or when there is no cdk.json', () => {
    const root = project({ 'cdk.json': cdkJson({ context: { 'shop:auth': 'cognito' } }) });
    expect(readProject(root)).toMatchObject({ hasCdkJson: true, local: {}, include: ['**'], exclude: [] });
    expect(readProject(project({}))).toMatchObject({ hasCdkJson: false, local: {}, output: 'cdk.out' });
  });

  it('refuses a misspelt setting, a setting of the wrong type, and cdk.json that is not JSON', () => {
    const read = (content: string) => () => readProject(project({ 'cdk.json': content }));
    expect(read(cdkJson({ conflux: { local: { seeds: 'x.json' } } }))).toThrow(
      'cdk.json "conflux.local.seeds" is not a setting of conflux local (devIssuerContext, seed are)',
    );
    expect(read(cdkJson({ conflux: { local: { devIssuerContext: true } } }))).toThrow(
      'cdk.json "conflux.local.devIssuerContext" must be a context key, e.g. "conflux:auth"',
    );
    expect(read(cdkJson({ conflux: { local: 'seed.json' } }))).toThrow(
      'cdk.json "conflux.local" must be an object',
    );
    expect(read('{ "app": ')).toThrow(/^cdk\.json is not valid JSON: /);
  });

  it('reads watch.include and watch.exclude as one glob or a list, and the output folder', () => {
    const root = project({
      'cdk.json': cdkJson({ watch: { include: 'src/**', exclude: ['**/*.test.ts'] }, output: 'build/cdk' }),
    });
    expect(readProject(root)).toMatchObject({
      include: ['src/**'],
      exclude: ['**/*.test.ts'],
      output: 'build/cdk',
    });
    expect(() => readProject(project({ 'cdk.json': cdkJson({ watch: { include: [1] } }) }))).toThrow(
      'cdk.json "watch.include" must be a glob or a list of globs',
    );
    expect(() => readProject(project({ 'cdk.json': cdkJson({ watch: { exclude: ['!src/**'] } }) }))).toThrow(
      'cdk.json "watch.exclude": "!src/**": negated patterns are not supported; list it under exclude instead',
    );
  });
});

describe('glob', () => {
  it('matches ** across any number of folders, none included, and * and ? within one', () => {
    const g = glob(['app/**', 'packages/*/src/**', 'lib/*.ts', 'bin/app.?s']);
    const yes = ['app', 'app/x.ts', 'app/a/b/c.ts', 'packages/local/src/core/x.ts', 'lib/a.ts', 'bin/app.ts'];
    const no = [
      'apps/x.ts',
      'packages/local/test/x.ts',
      'packages/src/x.ts',
      'lib/a/b.ts',
      'lib/a.js',
      'bin/app.tsx',
    ];
    expect(yes.filter((p) => !g.matches(p))).toEqual([]);
    expect(no.filter((p) => g.matches(p))).toEqual([]);
  });

  it('reads a name without wildcards as that file or folder and everything in it, as CDK does', () => {
    const g = glob(['test', 'cdk.out/']);
    expect(['test', 'test/a.ts', 'test/a/b.ts', 'cdk.out/manifest.json'].every((p) => g.matches(p))).toBe(
      true,
    );
    expect(['tests/a.ts', 'app/test/a.ts'].some((p) => g.matches(p))).toBe(false);
  });

  it('matches **/ at the start at any depth, the root included', () => {
    const g = glob(['**/*.d.ts']);
    expect(['x.d.ts', 'a/b/x.d.ts'].every((p) => g.matches(p))).toBe(true);
    expect(g.matches('a/x.ts')).toBe(false);
  });

  it('matches sets and alternatives', () => {
    const g = glob(['src/**/*.{ts,mjs}', 'v[0-9]/*', 'x[!a].txt']);
    expect(['src/a.ts', 'src/b/c.mjs', 'v1/x', 'xb.txt'].every((p) => g.matches(p))).toBe(true);
    expect(['src/a.js', 'va/x', 'xa.txt'].some((p) => g.matches(p))).toBe(false);
  });

  it('tells which folders may hold a match, so the others are not read', () => {
    const g = glob(['app/**', 'packages/*/src/**']);
    expect(
      ['app', 'packages', 'packages/local', 'packages/local/src', 'app/deep/er'].every((p) =>
        g.mayMatchBelow(p),
      ),
    ).toBe(true);
    expect(['bench', 'packages/local/test', 'test'].some((p) => g.mayMatchBelow(p))).toBe(false);
  });
});

describe('when the synth is current', () => {
  it('counts the files watch.include selects minus watch.exclude, and cdk.json itself', () => {
    // GIVEN sources of different ages, some outside watch.include, some excluded
    const root = project(
      {
        'cdk.json': cdkJson({ watch: { include: ['app/**'], exclude: ['app/test/**'] } }),
        'app/stack.ts': '',
        'app/test/stack.test.ts': '',
        'README.md': '',
      },
      { 'cdk.json': 50, 'app/stack.ts': 40, 'app/test/stack.test.ts': 1, 'README.md': 2 },
    );

    // THEN the newest counted file is app/stack.ts; the newer test and README do not count
    const newest = newestSource(readProject(root), ['cdk.json']);
    expect(Math.round((Date.now() - newest) / 1000)).toBe(40);
  });

  it('counts every file without watch settings, except node_modules, dot folders and the output folder', () => {
    const root = project(
      {
        'cdk.json': cdkJson({}),
        'bin/app.ts': '',
        'node_modules/aws-cdk-lib/index.js': '',
        '.git/index': '',
        '.conflux/local.json': '',
        'cdk.out/manifest.json': '',
      },
      { 'cdk.json': 90, 'bin/app.ts': 30, 'node_modules/aws-cdk-lib/index.js': 1, '.git/index': 1 },
    );
    for (const file of ['.conflux/local.json', 'cdk.out/manifest.json']) {
      utimesSync(path.join(root, file), new Date(), new Date());
    }
    const newest = newestSource(readProject(root));
    expect(Math.round((Date.now() - newest) / 1000)).toBe(30);
  });

  it('is current when the cloud assembly is newer than every source, cdk.json and the inputs; never with --app', () => {
    // GIVEN an assembly synthesized after the sources, and the dev issuer's keys made after it
    const root = project(
      {
        'cdk.json': cdkJson({ watch: { include: ['bin/**'] } }),
        'bin/app.ts': '',
        '.conflux/cdk.out/manifest.json': '{}',
        '.conflux/dev-issuer/jwks.json': '{}',
      },
      {
        'cdk.json': 60,
        'bin/app.ts': 50,
        '.conflux/cdk.out/manifest.json': 20,
        '.conflux/dev-issuer/jwks.json': 10,
      },
    );
    const outdir = path.join(root, '.conflux/cdk.out');
    const p = readProject(root);
    writeFileSync(path.join(outdir, SYNTH_STAMP), synthStamp(p, { outdir }));

    // THEN it is current unless the keys count, and never with --app
    expect(isCurrent(p, { outdir })).toBe(true);
    expect(isCurrent(p, { outdir, inputs: ['.conflux/dev-issuer/jwks.json'] })).toBe(false);
    expect(isCurrent(p, { outdir, app: 'npx tsx bin/app.ts' })).toBe(false);
    expect(isCurrent(p, { outdir: path.join(root, 'elsewhere') })).toBe(false);
  });

  it('is not current when another app or other context made the assembly, as `--app` leaves it', () => {
    // GIVEN an assembly newer than every source, synthesized by another app command (conflux local --app)
    const root = project(
      { 'cdk.json': cdkJson({}), 'bin/app.ts': '', '.conflux/cdk.out/manifest.json': '{}' },
      { 'cdk.json': 60, 'bin/app.ts': 50, '.conflux/cdk.out/manifest.json': 1 },
    );
    const outdir = path.join(root, '.conflux/cdk.out');
    const p = readProject(root);
    writeFileSync(path.join(outdir, SYNTH_STAMP), synthStamp(p, { outdir, app: 'node other-app.js' }));

    // THEN the app of cdk.json does not take it for its own; with its own stamp it does, with other context not
    expect(isCurrent(p, { outdir })).toBe(false);
    writeFileSync(path.join(outdir, SYNTH_STAMP), synthStamp(p, { outdir }));
    expect(isCurrent(p, { outdir })).toBe(true);
    expect(isCurrent(p, { outdir, context: { 'shop:auth': { issuer: 'x' } } })).toBe(false);
    // AND an assembly with no stamp (cdk synth's own) is not taken for current either
    rmSync(path.join(outdir, SYNTH_STAMP));
    expect(isCurrent(p, { outdir })).toBe(false);
  });

  it('passes the dev issuer as context only under the key cdk.json names', () => {
    const jwks = { issuer: 'https://conflux.local/dev-issuer' };
    expect(synthArgs({ outdir: '/o', context: { 'shop:auth': jwks } })).toEqual([
      'cdk',
      'synth',
      '--quiet',
      '--no-notices',
      '--output',
      '/o',
      '--context',
      `shop:auth=${JSON.stringify(jwks)}`,
    ]);
    expect(synthArgs({ outdir: '/o', app: 'node app.js' })).toEqual([
      'cdk',
      'synth',
      '--quiet',
      '--no-notices',
      '--output',
      '/o',
      '--app',
      'node app.js',
    ]);
  });
});
