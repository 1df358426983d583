import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../../src/services/events/envelope.js';
import { targetInput, transform } from '../../../src/services/events/transform.js';

const ec2Event: EventEnvelope = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2015-11-11T21:29:54Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING', tags: ['a', 'b'], size: 4 },
};
const rule = {
  ruleArn: 'arn:aws:events:us-east-1:123456789012:rule/example',
  ruleName: 'example',
  ingestionTime: '2015-11-11T21:29:55.123Z',
};
const paths = { instance: '$.detail.instance-id', state: '$.detail.state', size: '$.detail.size' };

describe('input transformer templates, as AWS documents them', () => {
  it.each<[string, string, string]>([
    ['a simple string', '"instance <instance> is in <state>"', '"instance i-0123456789 is in RUNNING"'],
    [
      'a string with escaped quotes',
      '"instance \\"<instance>\\" is in <state>"',
      '"instance \\"i-0123456789\\" is in RUNNING"',
    ],
    [
      'simple JSON',
      '{\n  "instance" : <instance>,\n  "state": <state>\n}',
      '{"instance":"i-0123456789","state":"RUNNING"}',
    ],
    [
      'JSON with strings and variables',
      '{"instance": <instance>, "state": "<state>", "status": "instance \\"<instance>\\" is in <state>"}',
      '{"instance":"i-0123456789","state":"RUNNING","status":"instance \\"i-0123456789\\" is in RUNNING"}',
    ],
    [
      'JSON mixing variables and static values',
      '{"instance": <instance>, "state": [9, <state>, true], "Transformed": "Yes"}',
      '{"instance":"i-0123456789","state":[9,"RUNNING",true],"Transformed":"Yes"}',
    ],
    ['a number keeps its type outside quotes', '{"size": <size>}', '{"size":4}'],
    ['a number in quotes becomes text', '{"size": "<size>"}', '{"size":"4"}'],
    ['reserved variables in a string', '"<aws.events.rule-name> triggered"', '"example triggered"'],
    [
      'reserved variables in JSON',
      '{"ruleArn": <aws.events.rule-arn>, "ruleName": <aws.events.rule-name>, "at": <aws.events.event.ingestion-time>}',
      `{"ruleArn":"${rule.ruleArn}","ruleName":"example","at":"${rule.ingestionTime}"}`,
    ],
    ['a variable the event lacks, outside quotes', '{"gone": <gone>}', '{"gone":null}'],
    ['a variable the event lacks, in quotes', '{"gone": "[<gone>]"}', '{"gone":"[]"}'],
    ['a plain-text template', '<instance> is <state>', 'i-0123456789 is RUNNING'],
  ])('%s', (_name, template, expected) => {
    // GIVEN the EC2 example event and its paths WHEN the template is filled THEN the output is as documented
    expect(transform({ ...paths, gone: '$.detail.gone' }, template, ec2Event, rule)).toBe(expected);
  });

  it('passes the event without detail as <aws.events.event>, and all of it as <aws.events.event.json>', () => {
    // GIVEN a template holding both WHEN it is filled
    const out = JSON.parse(
      transform({}, '{"event": <aws.events.event>, "json": <aws.events.event.json>}', ec2Event, rule),
    ) as { event: Record<string, unknown>; json: Record<string, unknown> };
    // THEN the first lacks detail and the second is the whole event
    expect(out.event).not.toHaveProperty('detail');
    expect(out.event.id).toBe(ec2Event.id);
    expect(out.json).toEqual(ec2Event);
  });

  it('gives the whole list a wildcard path selects', () => {
    expect(transform({ all: '$.detail.tags[*]' }, '{"tags": <all>}', ec2Event, rule)).toBe(
      '{"tags":["a","b"]}',
    );
  });
});

describe('target input', () => {
  it('is the event itself by default', () => {
    expect(JSON.parse(targetInput({}, ec2Event, rule))).toEqual(ec2Event);
  });

  it('is the constant Input when set, whatever the event', () => {
    expect(targetInput({ input: '{"fixed":true}' }, ec2Event, rule)).toBe('{"fixed":true}');
  });

  it('is the part InputPath selects', () => {
    expect(JSON.parse(targetInput({ inputPath: '$.detail' }, ec2Event, rule))).toEqual(ec2Event.detail);
    expect(targetInput({ inputPath: '$.detail.state' }, ec2Event, rule)).toBe('"RUNNING"');
  });

  it('is the filled template with an InputTransformer', () => {
    expect(
      targetInput(
        { transformer: { pathsMap: { state: '$.detail.state' }, template: '{"s": <state>}' } },
        ec2Event,
        rule,
      ),
    ).toBe('{"s":"RUNNING"}');
  });
});
