import { describe, expect, it } from 'vitest';
import {
  failureLine,
  MAX_MESSAGE_CHARS,
} from '../../../../src/services/lambda/event-source-mapping/failure-line.js';

describe('the line a failed batch logs', () => {
  it("names the function, the batch, and the function's error type and message", () => {
    // GIVEN a function error WHEN its line is made THEN it reads as one sentence
    expect(
      failureLine('shop-Orders', 'on a batch of 3', {
        errorType: 'TypeError',
        errorMessage: 'x is undefined',
      }),
    ).toBe('shop-Orders failed on a batch of 3: TypeError: x is undefined');
  });

  it('keeps a multi-line message on one line and cuts a long one with an ellipsis', () => {
    // GIVEN a message of two lines and far more than the limit
    const errorMessage = `first line\n  second line ${'y'.repeat(2 * MAX_MESSAGE_CHARS)}`;
    // WHEN its line is made
    const line = failureLine('fn', 'on a batch of 1', { errorType: 'Error', errorMessage });
    // THEN the message is whitespace-collapsed and cut to the limit
    const message = line.slice('fn failed on a batch of 1: Error: '.length);
    expect(message.startsWith('first line second line yyy')).toBe(true);
    expect(message).toHaveLength(MAX_MESSAGE_CHARS);
    expect(message.endsWith('…')).toBe(true);
    expect(line).not.toContain('\n');
  });
});
