import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { EventSchemaRegistry } from '../src/index.js';
import { testStack } from '../../../test/support/cdk.js';

describe('EventSchemaRegistry', () => {
  const stack = testStack();
  new EventSchemaRegistry(stack, 'Schemas', {
    dir: path.resolve(import.meta.dirname, 'fixtures/schemas'),
    registryName: 'events',
  });
  const template = Template.fromStack(stack);

  it('provisions one Avro schema per event type with its mode in Glue’s naming, version 1 as its definition', () => {
    template.resourceCountIs('AWS::Glue::Schema', 3);
    template.hasResourceProperties('AWS::Glue::Schema', {
      Name: 'OrderConfirmed',
      DataFormat: 'AVRO',
      Compatibility: 'FULL_ALL',
      SchemaDefinition: Match.stringLikeRegexp('"name":"OrderConfirmed"'),
    });
    template.hasResourceProperties('AWS::Glue::Schema', {
      Name: 'LedgerPosting',
      Compatibility: 'BACKWARD_ALL',
    });
  });

  it('adds later versions in order', () => {
    template.resourceCountIs('AWS::Glue::SchemaVersion', 2);
    const versions = template.findResources('AWS::Glue::SchemaVersion');
    const confirmedV2 = Object.entries(versions).find(([id]) => id.includes('OrderConfirmedV2'))?.[1] as {
      Properties: { SchemaDefinition: string };
      DependsOn: string[];
    };
    expect(confirmedV2.Properties.SchemaDefinition).toContain('"channel"');
    expect(confirmedV2.DependsOn.some((d) => d.includes('OrderConfirmed'))).toBe(true);
  });
});
