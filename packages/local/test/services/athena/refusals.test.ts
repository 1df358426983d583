import { describe, expect, it } from 'vitest';
import type { AssemblyStack, CfnResource } from '../../../src/core/cloud-assembly.js';
import { unsupported } from '../../../src/core/registry.js';
import { LOCAL_ENV } from '../../../src/core/runtime.js';

const stackOf = (resources: Record<string, CfnResource>): AssemblyStack => ({
  id: 'Lake',
  stackName: 'lake',
  template: { Resources: resources },
  assetsByObjectKey: new Map(),
  dependencies: [],
});

describe('Athena refusals', () => {
  it('refuse a Spark workgroup and managed query results', () => {
    // GIVEN Athena workgroups Conflux cannot run offline
    const stack = stackOf({
      Spark: {
        Type: 'AWS::Athena::WorkGroup',
        Properties: {
          Name: 'spark',
          WorkGroupConfiguration: { EngineVersion: { SelectedEngineVersion: 'PySpark engine version 3' } },
        },
      },
      Managed: {
        Type: 'AWS::Athena::WorkGroup',
        Properties: {
          Name: 'managed',
          WorkGroupConfiguration: { ManagedQueryResultsConfiguration: { Enabled: true } },
        },
      },
    });

    // THEN both are refused with the fix
    expect(unsupported(stack, LOCAL_ENV)).toEqual([
      'lake/Spark (AWS::Athena::WorkGroup): WorkGroupConfiguration: Apache Spark workgroups (PySpark engine version 3) are not run offline; use a SQL engine version',
      'lake/Managed (AWS::Athena::WorkGroup): WorkGroupConfiguration.ManagedQueryResultsConfiguration is not run offline; set ResultConfiguration.OutputLocation',
    ]);
  });
});
