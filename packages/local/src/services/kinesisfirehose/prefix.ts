import { randomInt } from 'node:crypto';

/**
 * Firehose's S3 prefix expressions (Firehose developer guide, "Custom prefixes for Amazon S3 objects"):
 * `!{timestamp:<java.time.format.DateTimeFormatter pattern>}` in UTC, `!{firehose:random-string}` and, in an
 * `ErrorOutputPrefix` only, `!{firehose:error-output-type}`. Dynamic partitioning's
 * `!{partitionKeyFromQuery:…}` / `!{partitionKeyFromLambda:…}` are refused: the runtime has no dynamic
 * partitioning.
 */

/** What a prefix is evaluated with: one instant for every timestamp in it, and the error's type. */
export interface PrefixValues {
  /** The arrival time of the oldest record in the object. */
  readonly at: Date;
  /** `processing-failed`, …: only an `ErrorOutputPrefix` names it. */
  readonly errorOutputType?: string;
}

/** The longest prefix S3 keys may start with once evaluated. */
export const MAX_EVALUATED_PREFIX = 512;

const EXPRESSION = /!\{([^}]*)\}/g;
const ERROR_OUTPUT_TYPE = '!{firehose:error-output-type}';
/** An instant whose every field prints at its widest: Wednesday 30 September, day 273, 23 h. */
const WIDEST = new Date('2026-09-30T23:59:59.999Z');
/** The namespaces AWS documents; anything else in `!{…}` is refused. */
const KNOWN = /^(timestamp|firehose|partitionKeyFromQuery|partitionKeyFromLambda):/;

/**
 * The letters of DateTimeFormatter the runtime formats, each a field of a UTC instant, with the most letters
 * in a row Java takes for it (`ddd` is "Too many pattern letters" there, as here).
 */
const LETTERS: Readonly<Record<string, number>> = {
  y: 19,
  u: 19,
  M: 5,
  d: 2,
  H: 2,
  h: 2,
  m: 2,
  s: 2,
  S: 9,
  a: 1,
  E: 5,
  D: 3,
};

/** One piece of a parsed DateTimeFormatter pattern. */
type Piece = { readonly literal: string } | { readonly letter: string; readonly count: number };

/** A pattern or prefix AWS would refuse (`InvalidArgumentException` of `CreateDeliveryStream`). */
export class PrefixError extends Error {
  public override readonly name = 'PrefixError';
}

/** The end of the quoted literal opened at `open`, and its text (`''` inside it is one quote). */
function quoted(pattern: string, open: number): { readonly text: string; readonly next: number } {
  let text = '';
  for (let i = open + 1; i < pattern.length; i += 1) {
    const c = pattern.charAt(i);
    if (c !== "'") {
      text += c;
    } else if (pattern.charAt(i + 1) === "'") {
      text += "'";
      i += 1;
    } else {
      return { text, next: i + 1 };
    }
  }
  throw new PrefixError(`the pattern ${JSON.stringify(pattern)} has an unclosed quote`);
}

/**
 * Parses a DateTimeFormatter pattern: letters in runs, `'quoted text'` (where `''` is a quote), `''` alone for
 * a quote, `[` `]` optional sections (always printed: every field of an instant is there), other symbols as
 * they are.
 */
export function parseDatePattern(pattern: string): Piece[] {
  const pieces: Piece[] = [];
  let optional = 0;
  for (let i = 0; i < pattern.length;) {
    const c = pattern.charAt(i);
    if (c === "'") {
      if (pattern.charAt(i + 1) === "'") {
        pieces.push({ literal: "'" });
        i += 2;
        continue;
      }
      const { text, next } = quoted(pattern, i);
      pieces.push({ literal: text });
      i = next;
      continue;
    }
    if (/[A-Za-z]/.test(c)) {
      const most = LETTERS[c];
      if (most === undefined) {
        throw new PrefixError(
          `the pattern ${JSON.stringify(pattern)} uses the letter ${c}, which the offline runtime does not format (it formats ${Object.keys(LETTERS).join(' ')}); quote literal letters as 'T'`,
        );
      }
      let count = 1;
      while (pattern.charAt(i + count) === c) count += 1;
      if (count > most) {
        throw new PrefixError(
          `the pattern ${JSON.stringify(pattern)} has ${count} letters ${c} in a row; DateTimeFormatter takes at most ${most}`,
        );
      }
      pieces.push({ letter: c, count });
      i += count;
      continue;
    }
    if (c === '[' || c === ']') {
      optional += c === '[' ? 1 : -1;
      if (optional < 0) {
        throw new PrefixError(
          `the pattern ${JSON.stringify(pattern)} closes an optional section it never opened`,
        );
      }
      i += 1;
      continue;
    }
    if (c === '#' || c === '{' || c === '}') {
      throw new PrefixError(
        `the pattern ${JSON.stringify(pattern)} uses ${c}, which DateTimeFormatter reserves`,
      );
    }
    pieces.push({ literal: c });
    i += 1;
  }
  return pieces;
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** A text field as DateTimeFormatter prints it in English: 1–3 letters short, 4 full, 5 narrow. */
const text = (full: string, count: number) =>
  count === 4 ? full : count === 5 ? full.charAt(0) : full.slice(0, 3);

function formatPiece(piece: Piece, at: Date): string {
  if ('literal' in piece) return piece.literal;
  const { letter, count } = piece;
  switch (letter) {
    case 'y':
    case 'u': {
      const year = at.getUTCFullYear();
      return count === 2 ? pad(year % 100, 2) : pad(year, count);
    }
    case 'M':
      return count >= 3 ? text(MONTHS[at.getUTCMonth()] ?? '', count) : pad(at.getUTCMonth() + 1, count);
    case 'd':
      return pad(at.getUTCDate(), count);
    case 'H':
      return pad(at.getUTCHours(), count);
    case 'h':
      return pad(at.getUTCHours() % 12 || 12, count);
    case 'm':
      return pad(at.getUTCMinutes(), count);
    case 's':
      return pad(at.getUTCSeconds(), count);
    case 'S':
      // Fraction of a second, truncated to `count` digits.
      return pad(at.getUTCMilliseconds(), 3).padEnd(count, '0').slice(0, count);
    case 'a':
      return at.getUTCHours() < 12 ? 'AM' : 'PM';
    case 'D': {
      const start = Date.UTC(at.getUTCFullYear(), 0, 1);
      return pad(Math.floor((at.getTime() - start) / 86_400_000) + 1, count);
    }
    default:
      return text(DAYS[at.getUTCDay()] ?? '', count);
  }
}

/** Formats a UTC instant with a DateTimeFormatter pattern. */
export function formatDate(pattern: string, at: Date): string {
  return parseDatePattern(pattern)
    .map((p) => formatPiece(p, at))
    .join('');
}

const RANDOM_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `!{firehose:random-string}`: 11 letters and digits. */
export function randomString(): string {
  let out = '';
  for (let i = 0; i < 11; i += 1) out += RANDOM_ALPHABET.charAt(randomInt(RANDOM_ALPHABET.length));
  return out;
}

/** Whether a prefix holds a `!{…}` expression. */
export function hasExpressions(prefix: string): boolean {
  return /!\{/.test(prefix);
}

/**
 * The problems AWS would refuse a prefix for, each a sentence about `property`: unknown or malformed
 * expressions, `error-output-type` outside an `ErrorOutputPrefix`, dynamic partitioning keys, bad patterns.
 */
export function prefixProblems(prefix: string, property: 'Prefix' | 'ErrorOutputPrefix'): string[] {
  const problems: string[] = [];
  if (/!\{[^}]*$/.test(prefix)) problems.push(`${property} ${JSON.stringify(prefix)} has an unclosed !{`);
  for (const [, body = ''] of prefix.matchAll(EXPRESSION)) {
    if (!KNOWN.test(body)) {
      problems.push(
        `${property} uses !{${body}}: use !{timestamp:<pattern>}, !{firehose:random-string} or, in ErrorOutputPrefix, !{firehose:error-output-type}`,
      );
    } else if (body.startsWith('partitionKeyFrom')) {
      problems.push(
        `${property} uses !{${body}}, which needs dynamic partitioning; the offline runtime has none — partition by !{timestamp:…} instead`,
      );
    } else if (body.startsWith('firehose:')) {
      const name = body.slice('firehose:'.length);
      if (name === 'error-output-type' && property === 'Prefix') {
        problems.push('Prefix uses !{firehose:error-output-type}, which only ErrorOutputPrefix may use');
      } else if (name !== 'random-string' && name !== 'error-output-type') {
        problems.push(
          `${property} uses !{${body}}: the firehose namespace has random-string and error-output-type`,
        );
      }
    } else if (body === 'timestamp:') {
      problems.push(
        `${property} uses !{timestamp:} with no pattern; write one, e.g. !{timestamp:yyyy-MM-dd}`,
      );
    } else {
      try {
        parseDatePattern(body.slice('timestamp:'.length));
      } catch (error: unknown) {
        if (!(error instanceof PrefixError)) throw error;
        problems.push(`${property}: ${error.message}`);
      }
    }
  }
  if (property === 'ErrorOutputPrefix' && hasExpressions(prefix) && !prefix.includes(ERROR_OUTPUT_TYPE)) {
    problems.push(
      `ErrorOutputPrefix ${JSON.stringify(prefix)} uses expressions, so Firehose wants at least one ${ERROR_OUTPUT_TYPE} in it`,
    );
  }
  if (problems.length === 0) {
    const longest = evaluatePrefix(
      prefix,
      { at: WIDEST, errorOutputType: 'processing-failed' },
      false,
    ).length;
    if (longest > MAX_EVALUATED_PREFIX) {
      problems.push(
        `${property} evaluates to up to ${longest} characters; Firehose takes at most ${MAX_EVALUATED_PREFIX}`,
      );
    }
  }
  return problems;
}

/**
 * Evaluates a prefix as Firehose does: every `!{timestamp:…}` from the same instant, a fresh random string
 * per use, and — when the prefix has no timestamp expression — `yyyy/MM/dd/HH/` appended as it is, with no
 * slash put between (end a literal prefix with `/` to have one). Throws a {@link PrefixError} when the result
 * is longer than {@link MAX_EVALUATED_PREFIX} (unless `limit` is false).
 */
export function evaluatePrefix(prefix: string, values: PrefixValues, limit = true): string {
  let timestamps = 0;
  const evaluated = prefix.replace(EXPRESSION, (_whole, body: string) => {
    if (body.startsWith('timestamp:')) {
      timestamps += 1;
      return formatDate(body.slice('timestamp:'.length), values.at);
    }
    if (body === 'firehose:random-string') return randomString();
    if (body === 'firehose:error-output-type') return values.errorOutputType ?? '';
    throw new PrefixError(`!{${body}} is not an expression the offline runtime evaluates`);
  });
  const full = timestamps > 0 ? evaluated : `${evaluated}${formatDate('yyyy/MM/dd/HH/', values.at)}`;
  if (limit && full.length > MAX_EVALUATED_PREFIX) {
    throw new PrefixError(
      `the evaluated prefix is ${full.length} characters; S3 prefixes may be ${MAX_EVALUATED_PREFIX}`,
    );
  }
  return full;
}

/**
 * An object's name after its prefix: `<stream>-<version>-<yyyy>-<MM>-<dd>-<HH>-<mm>-<ss>-<uuid>` of the
 * delivery time, then the file extension (`.gz` for GZIP unless one is set).
 */
export function objectName(
  streamName: string,
  version: number,
  at: Date,
  uuid: string,
  extension: string,
): string {
  return `${streamName}-${version}-${formatDate('yyyy-MM-dd-HH-mm-ss', at)}-${uuid}${extension}`;
}
