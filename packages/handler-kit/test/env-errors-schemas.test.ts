import { describe, expect, it } from 'vitest';
import { MissingEnvironmentError, requireEnv } from '../src/env.js';
import { InvalidMessageError } from '../src/errors.js';
import { DomainEvent, parseJson } from '../src/schemas.js';
import { domainEvent } from '../../../test/support/fixtures.js';

describe('requireEnv', () => {
  it('returns a set variable', () => {
    process.env.CONFLUX_TEST_VAR = 'x';
    expect(requireEnv('CONFLUX_TEST_VAR')).toBe('x');
  });

  it('fails naming a missing or empty variable', () => {
    process.env.CONFLUX_EMPTY_VAR = '';
    expect(() => requireEnv('CONFLUX_MISSING_VAR')).toThrow(MissingEnvironmentError);
    expect(() => requireEnv('CONFLUX_EMPTY_VAR')).toThrow(
      /Environment variable CONFLUX_EMPTY_VAR is not set/,
    );
  });

  it('makes a handler fail at load when its table is not configured', async () => {
    delete process.env.EXAMPLE_TABLE_NAME;
    await expect(import('./fixtures/needs-table.js')).rejects.toThrow(/EXAMPLE_TABLE_NAME is not set/);
  });
});

describe('parseJson', () => {
  it('parses a valid domain event', () => {
    const event = domainEvent();
    expect(parseJson(DomainEvent, JSON.stringify(event), 'event')).toEqual(event);
  });

  it('names every bad field', () => {
    const body = JSON.stringify({ ...domainEvent(), eventId: 'nope', schemaVersion: 0 });
    expect(() => parseJson(DomainEvent, body, 'event')).toThrow(InvalidMessageError);
    expect(() => parseJson(DomainEvent, body, 'event')).toThrow(/eventId: .*; schemaVersion: /);
  });

  it('says when the body is not JSON', () => {
    expect(() => parseJson(DomainEvent, '{', 'event')).toThrow(/event is not JSON/);
  });
});
