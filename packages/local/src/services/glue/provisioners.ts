import { accepted, regional, str, type Provisioner } from '../../core/provisioning.js';
import type { ServiceModule } from '../../core/services.js';
import { GlueService } from './service.js';
import { glueTable, tableProblems } from './table-input.js';

type Props = Readonly<Record<string, unknown>>;

/** Why the schema registry needs no local engine. */
const SCHEMAS_BUNDLED =
  'producers validate against the schemas bundled into them, and the application checks their compatibility at synth';
/** The runtime has one Data Catalog: the local account's. */
const ONE_CATALOG = "the offline runtime has one Data Catalog, the local account's";

const database: Provisioner = {
  applies: ['DatabaseInput', 'DatabaseName'],
  accepts: { CatalogId: ONE_CATALOG },
  check(ctx, p) {
    const input = (p.DatabaseInput ?? {}) as Props;
    const problems: string[] = [];
    if (input.TargetDatabase !== undefined) {
      problems.push(
        `${ctx.where}: DatabaseInput.TargetDatabase: resource links to other catalogs are not run offline`,
      );
    }
    if (input.FederatedDatabase !== undefined) {
      problems.push(`${ctx.where}: DatabaseInput.FederatedDatabase: federated catalogs are not run offline`);
    }
    return problems;
  },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const input = (p.DatabaseInput ?? {}) as Props;
    const name = (str(input.Name) ?? str(p.DatabaseName) ?? logicalId).toLowerCase();
    const description = str(input.Description);
    const locationUri = str(input.LocationUri);
    ctx.service(GlueService).addDatabase({
      Name: name,
      ...(description === undefined ? {} : { Description: description }),
      ...(locationUri === undefined ? {} : { LocationUri: locationUri }),
      Parameters: Object.fromEntries(
        Object.entries((input.Parameters ?? {}) as Props).map(([k, v]) => [k, str(v) ?? '']),
      ),
    });
    return { ref: name, attributes: {} };
  },
};

const table: Provisioner = {
  applies: ['DatabaseName', 'TableInput'],
  accepts: {
    CatalogId: ONE_CATALOG,
    OpenTableFormatInput: 'refused by the check when set: Iceberg tables are not read offline',
  },
  check(ctx, p) {
    return tableProblems(p).map((problem) => `${ctx.where}: ${problem}`);
  },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const resolved = glueTable(p);
    const kept = ctx.service(GlueService).addTable({
      ...resolved,
      Name: resolved.Name || logicalId.toLowerCase(),
    });
    return { ref: kept.Name, attributes: {} };
  },
};

/**
 * Glue: the Data Catalog's databases and tables (read by Athena offline), and the Schema Registry, accepted
 * because producers carry their schemas.
 */
export const glue: ServiceModule = {
  name: 'glue',
  state: GlueService,
  provisioners: {
    'AWS::Glue::Database': database,
    'AWS::Glue::Table': table,
    'AWS::Glue::Registry': accepted(SCHEMAS_BUNDLED, regional('glue', 'registry/')),
    'AWS::Glue::Schema': accepted(SCHEMAS_BUNDLED, regional('glue', 'schema/')),
    'AWS::Glue::SchemaVersion': accepted(SCHEMAS_BUNDLED, regional('glue', 'schema-version/')),
  },
};
