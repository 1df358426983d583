import { describe, expect, it } from 'vitest';
import { publicCause, representation, type Order } from '../../../functions/orders/domain';

const failed = (failureCause: string): Order => ({
  orderId: '3f1c2a7e-0000-4000-8000-000000000001',
  ownerSub: 'alice',
  customerId: 'c-1',
  items: [{ sku: 'SKU-1', quantity: 1 }],
  shipTo: { region: 'eu' },
  status: 'FAILED',
  createdAt: '2026-12-01T00:00:00.000Z',
  failureError: 'PaymentDeclinedError',
  failureCause,
});

describe('order failure as a client sees it', () => {
  it('tells the error name and message of a function error, never its trace', () => {
    // GIVEN the cause Step Functions records for a Lambda error: the whole error payload
    const cause = JSON.stringify({
      errorType: 'PaymentDeclinedError',
      errorMessage: 'Card declined above the limit of 50000',
      trace: [
        'PaymentDeclinedError: Card declined above the limit of 50000',
        '    at charge (/var/task/index.js:12:9)',
        '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      ],
    });
    // WHEN the order is shown
    const body = JSON.stringify(representation(failed(cause), 'v2'));
    // THEN the cause is name and message only
    expect(JSON.parse(body)).toMatchObject({
      failure: {
        error: 'PaymentDeclinedError',
        cause: 'PaymentDeclinedError: Card declined above the limit of 50000',
      },
    });
    expect(body).not.toMatch(/ at |\/var\/task|index\.js|node:internal/);
  });

  it('keeps a plain cause to its first line and hides file paths in it', () => {
    expect(publicCause('States.Timeout after 30 s\n    at somewhere')).toBe('States.Timeout after 30 s');
    expect(publicCause('failed in /home/dev/project/lambdas/x.ts:10:2')).toBe('failed in <path>');
    expect(publicCause(JSON.stringify({ errorType: 'Sandbox.Timedout' }))).toBe('Sandbox.Timedout');
    expect(publicCause(undefined)).toBeUndefined();
  });
});
