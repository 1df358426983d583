/**
 * A record that is not a change this code can read: Kinesis data that is neither empty (a tombstone) nor a
 * change event, or a table log record without what a change event needs. Retrying it cannot help, so a
 * processor reports it as a batch item failure and the mapping's bisection isolates it for the on-failure
 * destination.
 */
export class MalformedChangeError extends Error {
  public override readonly name = 'MalformedChangeError';
}
