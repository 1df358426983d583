import { accepted, regional } from '../../core/provisioning.js';
import type { ServiceModule } from '../../core/services.js';

/** Why the schema registry needs no local engine. */
const SCHEMAS_BUNDLED =
  'producers validate against the schemas bundled into them, and the application checks their compatibility at synth';

/** The Glue Schema Registry: accepted; producers carry their schemas. */
export const glue: ServiceModule = {
  name: 'glue',
  provisioners: {
    'AWS::Glue::Registry': accepted(SCHEMAS_BUNDLED, regional('glue', 'registry/')),
    'AWS::Glue::Schema': accepted(SCHEMAS_BUNDLED, regional('glue', 'schema/')),
    'AWS::Glue::SchemaVersion': accepted(SCHEMAS_BUNDLED, regional('glue', 'schema-version/')),
  },
};
