import { asText } from '../../core/intrinsics.js';
import {
  NO_OBSERVABILITY,
  NOT_ENFORCED,
  physicalName,
  str,
  TAGS,
  UnsupportedResourceError,
  type Provisioner,
} from '../../core/provisioning.js';
import type { ServiceModule } from '../../core/services.js';
import { StepFunctionsService } from './service.js';
import { supportedTaskResource, taskStates } from './tasks.js';

const stateMachine: Provisioner = {
  applies: [
    'DefinitionString',
    'Definition',
    'DefinitionSubstitutions',
    'StateMachineName',
    'StateMachineType',
  ],
  accepts: {
    RoleArn: NOT_ENFORCED,
    LoggingConfiguration: NO_OBSERVABILITY,
    TracingConfiguration: NO_OBSERVABILITY,
    EncryptionConfiguration: NOT_ENFORCED,
    Tags: TAGS,
  },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const where = `${ctx.stack.stackName}/${logicalId} (AWS::StepFunctions::StateMachine)`;
    let text =
      typeof p.DefinitionString === 'string' ? p.DefinitionString : JSON.stringify(p.Definition ?? {});
    for (const [key, value] of Object.entries(
      (p.DefinitionSubstitutions as Record<string, unknown> | undefined) ?? {},
    )) {
      text = text.split(`\${${key}}`).join(asText(value));
    }
    const definition = JSON.parse(text) as { States: Record<string, unknown>; QueryLanguage?: string };
    if (definition.QueryLanguage === 'JSONata' || text.includes('"QueryLanguage":"JSONata"')) {
      throw new UnsupportedResourceError(
        `${where}: JSONata state machines are not supported offline; use JSONPath`,
      );
    }
    for (const [state, { Resource }] of taskStates(definition)) {
      if (!supportedTaskResource(Resource)) {
        throw new UnsupportedResourceError(
          `${where}: state "${state}" uses task resource ${Resource}, which the offline runtime does not run`,
        );
      }
    }
    const name = str(p.StateMachineName) ?? physicalName(ctx.stack.stackName, logicalId, 80);
    const arn = `arn:${ctx.env.partition}:states:${ctx.env.region}:${ctx.env.accountId}:stateMachine:${name}`;
    ctx.service(StepFunctionsService).engine.register({
      arn,
      name,
      type: str(p.StateMachineType) === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
      definition,
    });
    return { ref: arn, attributes: { Arn: arn, Name: name } };
  },
};

/** Step Functions state machines, run by aws-local-stepfunctions against the local engines. */
export const stepfunctions: ServiceModule = {
  name: 'stepfunctions',
  state: StepFunctionsService,
  inProcessEngine: true,
  provisioners: { 'AWS::StepFunctions::StateMachine': stateMachine },
};
