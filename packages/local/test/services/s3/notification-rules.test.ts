import { describe, expect, it } from 'vitest';
import type { AssemblyStack, CfnResource } from '../../../src/core/cloud-assembly.js';
import { unsupported } from '../../../src/core/registry.js';
import { LOCAL_ENV } from '../../../src/core/runtime.js';
import {
  encodeKey,
  matchesRule,
  type NotificationRule,
  type ObjectChange,
  type ObjectEvent,
} from '../../../src/services/s3/notifications.js';

const rule = (events: string[], filter: { prefix?: string; suffix?: string } = {}): NotificationRule => ({
  id: 'rule',
  events,
  ...filter,
  destination: { kind: 'sqs', arn: 'arn:aws:sqs:us-east-1:000000000000:q' },
});

const event = (change: ObjectChange, key = 'in/a.txt'): ObjectEvent => ({
  bucket: 'b',
  key,
  change,
  time: new Date(0),
  sequencer: '00',
  requestId: 'R',
  hostId: 'H',
});

const stackOf = (resources: Record<string, CfnResource>): AssemblyStack => ({
  id: 'Shop',
  stackName: 'shop',
  template: { Resources: resources },
  assetsByObjectKey: new Map(),
  dependencies: [],
});

describe('S3 notification rules', () => {
  it('encode keys as S3 does in event records: a space is +, / stays, the rest is percent-encoded', () => {
    // GIVEN keys with spaces, reserved characters and non-ASCII letters

    // WHEN they are encoded
    const encoded = ['a b/c.txt', 'x=1&y:2 (copy)', 'café/ü*-_.', 'a+b'].map(encodeKey);

    // THEN they read as in AWS's records
    expect(encoded).toEqual(['a+b/c.txt', 'x%3D1%26y%3A2+%28copy%29', 'caf%C3%A9/%C3%BC*-_.', 'a%2Bb']);
  });

  it('match an event by its type, a wildcard type taking every event of its family', () => {
    // GIVEN rules for every creation, for puts only and for every removal

    // THEN a copy is a creation but not a put, and a deletion is a removal
    expect(matchesRule(rule(['s3:ObjectCreated:*']), event('Copy'))).toBe(true);
    expect(matchesRule(rule(['s3:ObjectCreated:Put']), event('Copy'))).toBe(false);
    expect(matchesRule(rule(['s3:ObjectCreated:Put']), event('Put'))).toBe(true);
    expect(matchesRule(rule(['s3:ObjectRemoved:*']), event('Delete'))).toBe(true);
    expect(matchesRule(rule(['s3:ObjectCreated:*']), event('Delete'))).toBe(false);
  });

  it('match the key as written against the prefix and the suffix, both required', () => {
    // GIVEN a rule for in/*.txt
    const txt = rule(['s3:ObjectCreated:*'], { prefix: 'in/', suffix: '.txt' });

    // THEN only a key with both matches, before any encoding
    expect(matchesRule(txt, event('Put', 'in/a b.txt'))).toBe(true);
    expect(matchesRule(txt, event('Put', 'in/a.json'))).toBe(false);
    expect(matchesRule(txt, event('Put', 'out/a.txt'))).toBe(false);
  });

  it('are refused from the template when a filter rule, an event type or a destination cannot be applied', () => {
    // GIVEN a notification configuration with an unknown filter name, a wrong event type and a queue that is a topic
    const stack = stackOf({
      Topic: { Type: 'AWS::SNS::Topic', Properties: {} },
      Notifications: {
        Type: 'Custom::S3BucketNotifications',
        Properties: {
          ServiceToken: 'arn:aws:lambda:us-east-1:000000000000:function:handler',
          BucketName: 'b',
          NotificationConfiguration: {
            QueueConfigurations: [
              {
                Events: ['ObjectCreated:*'],
                Filter: { Key: { FilterRules: [{ Name: 'contains', Value: 'x' }] } },
                QueueArn: { Ref: 'Topic' },
              },
            ],
          },
        },
      },
    });

    // THEN each problem is named with its place in the configuration
    expect(unsupported(stack, LOCAL_ENV)).toEqual([
      'shop/Notifications (Custom::S3BucketNotifications): NotificationConfiguration.QueueConfigurations[0].Events: "ObjectCreated:*" is not an S3 event type',
      'shop/Notifications (Custom::S3BucketNotifications): NotificationConfiguration.QueueConfigurations[0].Filter.Key.FilterRules: "contains" is not a filter rule name; S3 takes prefix and suffix',
      'shop/Notifications (Custom::S3BucketNotifications): NotificationConfiguration.QueueConfigurations[0].QueueArn names a AWS::SNS::Topic; it must be an AWS::SQS::Queue',
    ]);
  });
});
