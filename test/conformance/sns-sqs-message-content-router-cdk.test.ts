import { PublishCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../support/runtime';
import { SrcStack } from './apps/sns-sqs-message-content-router-cdk/lib/src-stack';
import { receiveAll, receiveOne, runThirdPartyApp } from './support';

/**
 * aws-samples/serverless-patterns sns-sqs-message-content-router-cdk: one topic fanned out to three queues by
 * `stackconfiguration.json` — country-usa and country-germany by the `country` message attribute,
 * language-english by the `language` field of the message body — each with raw message delivery.
 */
describe('sns-sqs-message-content-router-cdk', () => {
  let running: RunningApp;
  let stack: SrcStack;
  const queueUrl = (n: 1 | 2 | 3) => running.physical(stack.node.findChild(`cdk-sqs-queue-${n}`));
  const publish = (message: string, country?: string) =>
    running.runtime.engines.sns.send(
      new PublishCommand({
        TopicArn: running.physical(stack.node.findChild('cdk-sns-topic')),
        Message: message,
        MessageAttributes:
          country === undefined ? undefined : { country: { DataType: 'String', StringValue: country } },
      }),
    );
  /** The bodies each queue holds after a publish: the expected queue is waited for, the others are drained. */
  const routed = async (expected: 1 | 2 | 3) => {
    const body = (await receiveOne(running.runtime.engines.sqs, queueUrl(expected))).Body;
    const others = ([1, 2, 3] as const).filter((n) => n !== expected);
    const strays = await Promise.all(
      others.map(async (n) => receiveAll(running.runtime.engines.sqs, queueUrl(n))),
    );
    return { body, strays: strays.flat().map((m) => m.Body) };
  };

  beforeAll(async () => {
    running = await runThirdPartyApp('sns-sqs-message-content-router-cdk', (app) => {
      stack = new SrcStack(app, 'cdk-stack-message-router', {});
    });
  });
  afterAll(async () => {
    await running.stop();
  });

  // README: "Messages received by the SNS topic are routed to various SQS queues according to routing logic."
  // README: "The parameter `IsAttribute` specifies to CDK if the filter is of type attribute or content."
  it('routes a message with the attribute country=usa to the country-usa queue only, raw', async () => {
    const message = JSON.stringify({ Message: `usa ${Date.now()}` });
    await publish(message, 'usa');
    expect(await routed(1)).toEqual({ body: message, strays: [] });
  });

  it('routes a message with the attribute country=de to the country-germany queue only', async () => {
    const message = JSON.stringify({ Message: `de ${Date.now()}` });
    await publish(message, 'de');
    expect(await routed(2)).toEqual({ body: message, strays: [] });
  });

  it('routes a message whose body has filter.language "english" to the language-english queue only', async () => {
    // language-english has "IsAttribute": false: the stack subscribes it with
    // filterPolicyWithMessageBody: { filter: FilterOrPolicy.policy({ language: … allowlist FilterValues }) },
    // so the body must hold { "filter": { "language": "english" } }.
    const message = JSON.stringify({ filter: { language: 'english' }, text: `hello ${Date.now()}` });
    await publish(message);
    expect(await routed(3)).toEqual({ body: message, strays: [] });
  });
});
