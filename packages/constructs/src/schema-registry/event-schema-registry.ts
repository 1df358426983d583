import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct } from 'constructs';
import { loadSchemaCatalog, type Mode } from '@conflux/schemas';

/** Properties of an {@link EventSchemaRegistry}. */
export interface EventSchemaRegistryProps {
  /** The schema folder: `registry.json` and `<kebab-type>.v<N>.avsc` files. */
  readonly dir: string;
  readonly registryName: string;
}

/** Glue names the transitive modes `_ALL`. */
const GLUE_MODE: Record<Mode, string> = {
  NONE: 'NONE',
  BACKWARD: 'BACKWARD',
  BACKWARD_TRANSITIVE: 'BACKWARD_ALL',
  FORWARD: 'FORWARD',
  FORWARD_TRANSITIVE: 'FORWARD_ALL',
  FULL: 'FULL',
  FULL_TRANSITIVE: 'FULL_ALL',
};

/**
 * A Glue Schema Registry holding every event type of a schema folder: one Avro schema per type with its
 * compatibility mode, version 1 as its definition and each later version as a schema version, created in
 * order (so Glue checks each against its predecessors, as `npm run schemas:check` did before synth).
 */
export class EventSchemaRegistry extends Construct {
  public readonly registry: glue.CfnRegistry;
  /** Schemas by event type. */
  public readonly schemas: Readonly<Record<string, glue.CfnSchema>>;

  constructor(scope: Construct, id: string, props: EventSchemaRegistryProps) {
    super(scope, id);
    const { catalog } = loadSchemaCatalog(props.dir);
    this.registry = new glue.CfnRegistry(this, 'Registry', {
      name: props.registryName,
      description: `Conflux event schemas (${catalog.namespace})`,
    });
    const schemas: Record<string, glue.CfnSchema> = {};
    for (const [eventType, { mode, versions }] of catalog.types) {
      const [first, ...later] = [...versions].sort((a, b) => a.version - b.version);
      if (!first) continue;
      const schema = new glue.CfnSchema(this, eventType, {
        name: eventType,
        registry: { arn: this.registry.attrArn },
        dataFormat: 'AVRO',
        compatibility: GLUE_MODE[mode],
        schemaDefinition: JSON.stringify(first.schema),
        description: `${eventType} (${mode})`,
      });
      let previous: Construct = schema;
      for (const v of later) {
        const version = new glue.CfnSchemaVersion(this, `${eventType}V${v.version}`, {
          schema: { schemaArn: schema.attrArn },
          schemaDefinition: JSON.stringify(v.schema),
        });
        version.node.addDependency(previous);
        previous = version;
      }
      schemas[eventType] = schema;
    }
    this.schemas = schemas;
  }
}
