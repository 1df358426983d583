import { describe, expect, it } from 'vitest';
import {
  defaultRetryDelay,
  TargetDelivery,
  TargetError,
  type SendToQueue,
  type TargetSpec,
} from '../../../src/services/events/delivery.js';
import { envelope } from '../../../src/services/events/envelope.js';

const env = { accountId: '000000000000', region: 'us-east-1', partition: 'aws', urlSuffix: 'amazonaws.com' };
const rule = {
  ruleArn: 'arn:aws:events:us-east-1:000000000000:rule/orders',
  ruleName: 'orders',
  ingestionTime: '2026-12-02T10:00:00.000Z',
};

/** A target with a DLQ and the given retry policy. */
function target(overrides: Partial<TargetSpec> = {}): TargetSpec {
  return {
    id: 'Target0',
    arn: 'arn:aws:lambda:us-east-1:000000000000:function:handler',
    input: {},
    maxRetryAttempts: 185,
    maxEventAgeSeconds: 86_400,
    deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:dlq',
    ...overrides,
  };
}

/** A delivery whose sends fail `failures` times with `error`, recording attempts and DLQ messages. */
function harness(failures: number, error: Error, delays: readonly number[] = [5]) {
  const attempts: number[] = [];
  const dlq: Parameters<SendToQueue>[] = [];
  const delivery = new TargetDelivery(
    async () => {
      attempts.push(Date.now());
      if (attempts.length <= failures) throw error;
      return Promise.resolve();
    },
    async (...message) => {
      dlq.push(message);
      return Promise.resolve();
    },
    delays,
  );
  return { delivery, attempts, dlq };
}

const event = envelope(env, { source: 'com.example', detailType: 'Order Placed', detail: { id: 1 } });

describe('delivery to targets, with retries and dead-letter queues', () => {
  it('retries a failing target, then delivers', async () => {
    // GIVEN a target that fails twice
    const { delivery, attempts, dlq } = harness(2, new Error('engine unavailable'));
    // WHEN an event is delivered
    delivery.deliver(target(), event, rule);
    await delivery.idle();
    // THEN it was tried three times and nothing went to the DLQ
    expect(attempts).toHaveLength(3);
    expect(dlq).toHaveLength(0);
  });

  it('sends the event to the DLQ with its attributes once MaximumRetryAttempts are used up', async () => {
    // GIVEN a target that always fails, with 2 retries
    const failure = new TargetError('ThrottlingException', 'Rate exceeded', true);
    const { delivery, attempts, dlq } = harness(Infinity, failure);
    // WHEN an event is delivered
    delivery.deliver(target({ maxRetryAttempts: 2 }), event, rule);
    await delivery.idle();
    // THEN it was tried once and retried twice, then dead-lettered as AWS does
    expect(attempts).toHaveLength(3);
    expect(dlq).toHaveLength(1);
    const [queueArn, body, attributes] = dlq[0] ?? [];
    expect(queueArn).toBe('arn:aws:sqs:us-east-1:000000000000:dlq');
    expect(JSON.parse(body ?? '')).toEqual(event);
    expect(attributes).toEqual({
      RULE_ARN: { type: 'String', value: rule.ruleArn },
      TARGET_ARN: { type: 'String', value: 'arn:aws:lambda:us-east-1:000000000000:function:handler' },
      ERROR_CODE: { type: 'String', value: 'ThrottlingException' },
      ERROR_MESSAGE: { type: 'String', value: 'Rate exceeded' },
      EXHAUSTED_RETRY_CONDITION: { type: 'String', value: 'MaximumRetryAttempts' },
      RETRY_ATTEMPTS: { type: 'Number', value: '2' },
    });
  });

  it('does not retry a target that does not exist', async () => {
    // GIVEN a target that is gone
    const failure = new TargetError('ResourceNotFoundException', 'Function does not exist', false);
    const { delivery, attempts, dlq } = harness(Infinity, failure);
    // WHEN an event is delivered
    delivery.deliver(target(), event, rule);
    await delivery.idle();
    // THEN it was tried once and went to the DLQ with no exhausted condition
    expect(attempts).toHaveLength(1);
    expect(dlq[0]?.[2]).toMatchObject({
      ERROR_CODE: { value: 'ResourceNotFoundException' },
      RETRY_ATTEMPTS: { value: '0' },
    });
    expect(dlq[0]?.[2]).not.toHaveProperty('EXHAUSTED_RETRY_CONDITION');
  });

  it('stops retrying once the next retry would pass MaximumEventAgeInSeconds', async () => {
    // GIVEN a target that always fails, retries 1 s apart and a 1 s maximum age
    const { delivery, attempts, dlq } = harness(Infinity, new Error('down'), [1500]);
    // WHEN an event is delivered
    delivery.deliver(target({ maxEventAgeSeconds: 1 }), event, rule);
    await delivery.idle();
    // THEN it was tried once and dead-lettered for its age
    expect(attempts).toHaveLength(1);
    expect(dlq[0]?.[2]).toMatchObject({
      ERROR_CODE: { value: 'Error' },
      EXHAUSTED_RETRY_CONDITION: { value: 'MaximumEventAgeInSeconds' },
    });
  });

  it('drops a failed event when the target has no DLQ, and retries no more once stopped', async () => {
    // GIVEN a target that always fails, without a DLQ, retried every 10 s
    const { delivery, attempts, dlq } = harness(Infinity, new Error('down'), [10_000]);
    delivery.deliver(target({ deadLetterArn: undefined }), event, rule);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // WHEN the delivery stops
    await delivery.stop();
    // THEN the pending retry was dropped
    expect(attempts).toHaveLength(1);
    expect(dlq).toHaveLength(0);
  });

  it('backs off exponentially by default, up to five minutes', () => {
    expect(defaultRetryDelay(1)).toBeGreaterThanOrEqual(500);
    expect(defaultRetryDelay(1)).toBeLessThanOrEqual(1000);
    expect(defaultRetryDelay(4)).toBeGreaterThanOrEqual(4000);
    expect(defaultRetryDelay(30)).toBeLessThanOrEqual(300_000);
    expect(defaultRetryDelay(30)).toBeGreaterThanOrEqual(150_000);
  });
});
