import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { loadConfig } from './config';
import { assertSchemasCompatible } from '@conflux/schemas';
import { checkApiBodies } from './schemas/api-bodies';
import { ApiStack } from './stacks/api-stack';
import { MessagingStack } from './stacks/messaging-stack';
import { MonitoringStack } from './stacks/monitoring-stack';

/** The stacks of the Conflux reference application. */
export interface ConfluxStacks {
  readonly messaging: MessagingStack;
  readonly api: ApiStack;
  /** Dashboards and alarms of the other two. */
  readonly monitoring: MonitoringStack;
}

/**
 * Builds the reference application into `app`: typed configuration from context, the stacks, and the
 * cdk-nag AwsSolutions and Serverless packs, which fail synth on any unacknowledged finding.
 */
export function buildConfluxApp(app: App): ConfluxStacks {
  const config = loadConfig((key) => app.node.tryGetContext(key));
  // The synth gate: no schema change that breaks its declared compatibility reaches a deployment.
  const schemas = schemasDir(app);
  assertSchemasCompatible(schemas, { checks: [checkApiBodies] });
  const env = { account: config.account, region: config.region };
  const prefix = `conflux-${config.stage}`;

  const messaging = new MessagingStack(app, 'Messaging', {
    stackName: `${prefix}-messaging`,
    env,
    config,
    schemasDir: schemas,
  });

  const api = new ApiStack(app, 'Api', {
    stackName: `${prefix}-api`,
    env,
    config,
    alarmTopic: messaging.alarmTopic,
    domainEvents: messaging.domainEvents,
  });

  const monitoring = new MonitoringStack(app, 'Monitoring', {
    stackName: `${prefix}-monitoring`,
    env,
    config,
    messaging,
    api,
  });

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { messaging, api, monitoring };
}

/** The event schemas folder: context `conflux:schemasDir`, else `app/schemas/`. */
function schemasDir(app: App): string {
  const dir = app.node.tryGetContext('conflux:schemasDir') as string | undefined;
  return dir ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'schemas');
}
