import { describe, expect, it } from 'vitest';
import {
  evaluatePrefix,
  formatDate,
  objectName,
  prefixProblems,
  randomString,
} from '../../../src/services/kinesisfirehose/prefix.js';

const AT = new Date('2026-03-07T04:05:06.789Z');

describe('Firehose prefix expressions', () => {
  it('format DateTimeFormatter patterns in UTC, with quoted literals', () => {
    // GIVEN an instant WHEN formatted THEN each letter is its field, padded to its count
    expect(formatDate('yyyy-MM-dd HH:mm:ss.SSS', AT)).toBe('2026-03-07 04:05:06.789');
    expect(formatDate("'year='yyyy/'month='M/'' D", AT)).toBe("year=2026/month=3/' 66");
    expect(formatDate('yy h a EEE EEEE', AT)).toBe('26 4 AM Sat Saturday');
  });

  it("read '' inside a quoted literal as one quote, as DateTimeFormatter does", () => {
    // GIVEN patterns whose quoted text holds a doubled quote
    // WHEN formatted THEN the literal goes on past it, with one quote in its place
    expect(formatDate("'it''s' yyyy", AT)).toBe("it's 2026");
    expect(formatDate("'''quoted'''", AT)).toBe("'quoted'");
    expect(formatDate("''yyyy''", AT)).toBe("'2026'");
  });

  it('print months and days of the week as text from three letters, and optional sections as they are', () => {
    // GIVEN text forms: short, full and narrow WHEN formatted THEN English names as Java prints them
    expect(formatDate('MMM MMMM MMMMM', AT)).toBe('Mar March M');
    expect(formatDate('E EEEEE', AT)).toBe('Sat S');
    expect(formatDate("yyyy[-MM]['T'HH]", AT)).toBe('2026-03T04');
    expect(formatDate('D DDD S SSSSSS', AT)).toBe('66 066 7 789000');
  });

  it('refuse more letters in a row than DateTimeFormatter takes, naming the pattern', () => {
    // GIVEN patterns Java refuses with "Too many pattern letters"
    // WHEN checked THEN each is refused with the letter and its limit
    expect(prefixProblems('a/!{timestamp:ddd}/', 'Prefix')).toEqual([
      'Prefix: the pattern "ddd" has 3 letters d in a row; DateTimeFormatter takes at most 2',
    ]);
    expect(prefixProblems('a/!{timestamp:HHH}/', 'Prefix')[0]).toMatch(/3 letters H/);
    expect(prefixProblems('a/!{timestamp:aa}/', 'Prefix')[0]).toMatch(/2 letters a/);
    expect(prefixProblems('a/!{timestamp:yyyy]}/', 'Prefix')[0]).toMatch(/optional section/);
    expect(prefixProblems('a/!{timestamp:}/', 'Prefix')[0]).toMatch(/no pattern/);
  });

  it('want !{firehose:error-output-type} in an ErrorOutputPrefix that uses expressions', () => {
    // GIVEN error prefixes with and without the error type
    // WHEN checked THEN only the one with expressions and no error type is refused
    expect(prefixProblems('errors/!{timestamp:yyyy}/', 'ErrorOutputPrefix')[0]).toMatch(
      /at least one !\{firehose:error-output-type\}/,
    );
    expect(
      prefixProblems('errors/!{firehose:error-output-type}/!{timestamp:yyyy}/', 'ErrorOutputPrefix'),
    ).toEqual([]);
    expect(prefixProblems('errors/', 'ErrorOutputPrefix')).toEqual([]);
  });

  it('refuse at check a prefix that can evaluate past 512 characters', () => {
    // GIVEN a prefix of 500 characters and a full month and day name (up to 9 letters each)
    const prefix = `${'x'.repeat(500)}/!{timestamp:MMMM-EEEE}/`;
    // WHEN checked THEN it is refused by its widest evaluation
    expect(prefixProblems(prefix, 'Prefix')).toEqual([
      'Prefix evaluates to up to 521 characters; Firehose takes at most 512',
    ]);
  });

  it('evaluate every timestamp of a prefix from one instant', () => {
    // GIVEN a prefix with two timestamps and a random string
    const prefix = 'raw/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/!{firehose:random-string}/';
    // WHEN evaluated THEN both come from the oldest record's arrival and no date is appended
    const evaluated = evaluatePrefix(prefix, { at: AT });
    expect(evaluated).toMatch(/^raw\/dt=2026-03-07\/hour=04\/[A-Za-z0-9]{11}\/$/);
  });

  it('append yyyy/MM/dd/HH/ to a prefix without a timestamp, with no slash put in between', () => {
    expect(evaluatePrefix('logs/', { at: AT })).toBe('logs/2026/03/07/04/');
    expect(evaluatePrefix('logs', { at: AT })).toBe('logs2026/03/07/04/');
    expect(evaluatePrefix('', { at: AT })).toBe('2026/03/07/04/');
  });

  it('put the error output type into an error prefix', () => {
    const evaluated = evaluatePrefix('errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/', {
      at: AT,
      errorOutputType: 'processing-failed',
    });
    expect(evaluated).toBe('errors/processing-failed/dt=2026-03-07/');
  });

  it('make random strings of 11 letters and digits, fresh each time', () => {
    const strings = new Set(Array.from({ length: 50 }, randomString));
    expect([...strings].every((s) => /^[A-Za-z0-9]{11}$/.test(s))).toBe(true);
    expect(strings.size).toBe(50);
  });

  it('refuse what Firehose refuses, naming the property', () => {
    expect(prefixProblems('a/!{firehose:error-output-type}/', 'Prefix')).toEqual([
      'Prefix uses !{firehose:error-output-type}, which only ErrorOutputPrefix may use',
    ]);
    expect(prefixProblems('a/!{timestamp:yyyy-QQ}/', 'Prefix')[0]).toMatch(/letter Q/);
    expect(prefixProblems('a/!{partitionKeyFromQuery:id}/', 'Prefix')[0]).toMatch(/dynamic partitioning/);
    expect(prefixProblems('a/!{nope}/', 'ErrorOutputPrefix')[0]).toMatch(/^ErrorOutputPrefix uses !\{nope\}/);
    expect(prefixProblems("a/!{timestamp:'open}/", 'Prefix')[0]).toMatch(/unclosed quote/);
    expect(prefixProblems('a/!{timestamp:yyyy}/', 'Prefix')).toEqual([]);
  });

  it('refuse an evaluated prefix longer than 512 characters', () => {
    expect(() => evaluatePrefix(`${'x'.repeat(510)}!{timestamp:yyyy}`, { at: AT })).toThrow(/512/);
  });

  it('name objects as Firehose does', () => {
    expect(objectName('telemetry', 1, AT, 'a1b2', '.gz')).toBe('telemetry-1-2026-03-07-04-05-06-a1b2.gz');
  });
});
