import type { FunctionError } from '../host.js';

/** The most of an error message a failure line shows; the rest is cut with an ellipsis. */
export const MAX_MESSAGE_CHARS = 300;

/**
 * One line naming why a batch failed: the function's `errorType` and `errorMessage`, whitespace collapsed
 * (a multi-line message stays one line) and cut at {@link MAX_MESSAGE_CHARS}.
 */
export function failureLine(functionName: string, what: string, error: FunctionError): string {
  const message = error.errorMessage.replace(/\s+/g, ' ').trim();
  const shown = message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS - 1)}…` : message;
  return `${functionName} failed ${what}: ${error.errorType}: ${shown}`;
}
