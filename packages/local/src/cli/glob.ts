/**
 * The globs of CDK's `watch.include` and `watch.exclude` settings, matched against paths relative to the
 * folder of `cdk.json` with `/` between segments, as CDK matches them:
 *
 * - `**` as a whole segment matches any number of segments, none included (`app/**` matches `app` too);
 * - `*` matches any characters of one segment, `?` one character, `[abc]` / `[a-z]` / `[!a]` one of a set;
 * - `{a,b}` matches either alternative;
 * - a pattern with none of `*`, `?`, `[`, `{` names a file or a folder and everything in it (`test`).
 *
 * Dots are not special: `*` matches `.env` (CDK skips dot files on its own, and so does `conflux local`).
 */
export interface Glob {
  /** Whether the path (a file, or a folder with everything in it) matches. */
  matches(relativePath: string): boolean;
  /** Whether something below the folder could match: if not, the folder need not be read. */
  mayMatchBelow(relativeFolder: string): boolean;
}

/** A refused pattern, with what is wrong with it. */
export class GlobError extends Error {
  public override readonly name = 'GlobError';
}

type Segment = '**' | RegExp;

/** One glob of several patterns: a path matches when one of them does. */
export function glob(patterns: readonly string[]): Glob {
  const compiled = patterns.flatMap(expandBraces).map(compile);
  return {
    matches: (p) => {
      const path = segments(p);
      return compiled.some((pattern) => match(pattern, 0, path, 0));
    },
    mayMatchBelow: (p) => {
      const path = segments(p);
      return compiled.some((pattern) => below(pattern, 0, path, 0));
    },
  };
}

const segments = (p: string) => p.split('/').filter((s) => s !== '' && s !== '.');

function compile(pattern: string): Segment[] {
  if (pattern.startsWith('!')) {
    throw new GlobError(`"${pattern}": negated patterns are not supported; list it under exclude instead`);
  }
  const named = /[*?[]/.test(pattern) ? pattern : `${pattern.replace(/\/+$/, '')}/**`;
  return segments(named).map((s) => (s === '**' ? '**' : new RegExp(`^${segmentSource(s, pattern)}$`)));
}

function segmentSource(segment: string, pattern: string): string {
  let source = '';
  for (let i = 0; i < segment.length; i += 1) {
    const c = segment[i] ?? '';
    if (c === '*') {
      source += '[^/]*';
      while (segment[i + 1] === '*') i += 1;
    } else if (c === '?') {
      source += '[^/]';
    } else if (c === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end < 0) throw new GlobError(`"${pattern}": "[" without its "]"`);
      const set = segment.slice(i + 1, end);
      const negated = set.startsWith('!') || set.startsWith('^');
      const members = (negated ? set.slice(1) : set).replace(/[\\\]^]/g, '\\$&');
      source += `[${negated ? '^' : ''}${members}]`;
      i = end;
    } else {
      source += c.replace(/[.+^${}()|\\]/g, '\\$&');
    }
  }
  return source;
}

/** `a/{b,c}/*.{ts,js}` → its four plain patterns. */
function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  let depth = 0;
  const commas: number[] = [];
  for (let i = open; i < pattern.length; i += 1) {
    const c = pattern[i];
    if (c === '{') depth += 1;
    else if (c === '}') depth -= 1;
    else if (c === ',' && depth === 1) commas.push(i);
    if (depth === 0) {
      const bounds = [open, ...commas, i];
      const before = pattern.slice(0, open);
      const after = pattern.slice(i + 1);
      return bounds
        .slice(1)
        .flatMap((end, k) => expandBraces(`${before}${pattern.slice((bounds[k] ?? 0) + 1, end)}${after}`));
    }
  }
  throw new GlobError(`"${pattern}": "{" without its "}"`);
}

function match(pattern: readonly Segment[], pi: number, path: readonly string[], si: number): boolean {
  if (pi === pattern.length) return si === path.length;
  const head = pattern[pi];
  if (head === '**') {
    for (let skip = si; skip <= path.length; skip += 1) if (match(pattern, pi + 1, path, skip)) return true;
    return false;
  }
  return (
    si < path.length &&
    head !== undefined &&
    head.test(path[si] ?? '') &&
    match(pattern, pi + 1, path, si + 1)
  );
}

function below(pattern: readonly Segment[], pi: number, path: readonly string[], si: number): boolean {
  if (pi === pattern.length) return false;
  const head = pattern[pi];
  if (head === '**') return true;
  if (si === path.length) return true;
  return head !== undefined && head.test(path[si] ?? '') && below(pattern, pi + 1, path, si + 1);
}
