import {
  NOT_ENFORCED,
  NO_OBSERVABILITY,
  staticText,
  str,
  TAGS,
  type Provisioner,
} from '../../core/provisioning.js';
import type { ServiceModule } from '../../core/services.js';
import { AthenaService, EFFECTIVE_ENGINE } from './service.js';

type Props = Readonly<Record<string, unknown>>;

const config = (p: Props): Props => (p.WorkGroupConfiguration ?? {}) as Props;
const flag = (value: unknown) => value === true || value === 'true';

const workGroup: Provisioner = {
  applies: ['Name', 'State', 'Description', 'WorkGroupConfiguration'],
  accepts: {
    Tags: TAGS,
    RecursiveDeleteOption: "the runtime's workgroups end with the runtime",
    WorkGroupConfigurationUpdates:
      'updates apply to a deployed workgroup; the runtime starts from WorkGroupConfiguration',
    'WorkGroupConfiguration.PublishCloudWatchMetricsEnabled': NO_OBSERVABILITY,
    'WorkGroupConfiguration.RequesterPaysEnabled': 'local S3 bills no one',
    'WorkGroupConfiguration.ResultConfiguration.EncryptionConfiguration': NOT_ENFORCED,
    'WorkGroupConfiguration.ResultConfiguration.AclConfiguration': NOT_ENFORCED,
    'WorkGroupConfiguration.ResultConfiguration.ExpectedBucketOwner': NOT_ENFORCED,
    'WorkGroupConfiguration.CustomerContentEncryptionConfiguration': NOT_ENFORCED,
    'WorkGroupConfiguration.EnableMinimumEncryptionConfiguration': NOT_ENFORCED,
    'WorkGroupConfiguration.EngineVersion':
      'every SQL workgroup runs DuckDB offline, with Trino functions as macros (see the README)',
  },
  check(ctx, p) {
    const c = config(p);
    const problems: string[] = [];
    const engine = staticText((c.EngineVersion as Props | undefined)?.SelectedEngineVersion) ?? 'AUTO';
    if (/spark/i.test(engine) || c.AdditionalConfiguration !== undefined || c.ExecutionRole !== undefined) {
      problems.push(
        `${ctx.where}: WorkGroupConfiguration: Apache Spark workgroups (${engine}) are not run offline; use a SQL engine version`,
      );
    }
    const managed = c.ManagedQueryResultsConfiguration as Props | undefined;
    if (managed && flag(managed.Enabled)) {
      problems.push(
        `${ctx.where}: WorkGroupConfiguration.ManagedQueryResultsConfiguration is not run offline; set ResultConfiguration.OutputLocation`,
      );
    }
    return problems;
  },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const c = config(p);
    const name = str(p.Name) ?? logicalId;
    const description = str(p.Description);
    const output = str((c.ResultConfiguration as Props | undefined)?.OutputLocation);
    const cutoff =
      c.BytesScannedCutoffPerQuery === undefined ? undefined : Number(c.BytesScannedCutoffPerQuery);
    const createdAt = new Date();
    ctx.service(AthenaService).addWorkGroup({
      name,
      state: str(p.State) === 'DISABLED' ? 'DISABLED' : 'ENABLED',
      ...(description === undefined ? {} : { description }),
      ...(output === undefined ? {} : { outputLocation: output }),
      enforce: c.EnforceWorkGroupConfiguration === undefined ? true : flag(c.EnforceWorkGroupConfiguration),
      ...(cutoff === undefined ? {} : { bytesScannedCutoff: cutoff }),
      engineVersion: str((c.EngineVersion as Props | undefined)?.SelectedEngineVersion) ?? 'AUTO',
      createdAt,
    });
    return {
      ref: name,
      attributes: {
        CreationTime: createdAt.toISOString(),
        'WorkGroupConfiguration.EngineVersion.EffectiveEngineVersion': EFFECTIVE_ENGINE,
      },
    };
  },
};

const namedQuery: Provisioner = {
  applies: ['Name', 'Database', 'QueryString', 'WorkGroup', 'Description'],
  accepts: {},
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const description = str(p.Description);
    const id = ctx.service(AthenaService).addNamedQuery({
      Name: str(p.Name) ?? logicalId,
      Database: str(p.Database) ?? 'default',
      QueryString: str(p.QueryString) ?? '',
      WorkGroup: str(p.WorkGroup) ?? 'primary',
      ...(description === undefined ? {} : { Description: description }),
    });
    return { ref: id, attributes: { NamedQueryId: id } };
  },
};

/**
 * Athena: workgroups and named queries from the templates, and the Athena API over DuckDB, which reads the
 * Glue catalog's tables from local S3.
 */
export const athena: ServiceModule = {
  name: 'athena',
  state: AthenaService,
  provisioners: {
    'AWS::Athena::WorkGroup': workGroup,
    'AWS::Athena::NamedQuery': namedQuery,
  },
};
