import { asText } from '../../core/intrinsics.js';
import {
  NO_OBSERVABILITY,
  NOT_ENFORCED,
  physicalName,
  staticText,
  str,
  TAGS,
  UNRESOLVED,
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
  check(ctx, p) {
    const text = typeof p.DefinitionString === 'string' ? p.DefinitionString : staticText(p.DefinitionString);
    try {
      const definition: unknown = text === undefined ? p.Definition : JSON.parse(text);
      return definitionProblems(ctx.where, definition as Definition);
    } catch {
      return []; // a definition built from references is checked once they resolve
    }
  },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    let text =
      typeof p.DefinitionString === 'string' ? p.DefinitionString : JSON.stringify(p.Definition ?? {});
    for (const [key, value] of Object.entries(
      (p.DefinitionSubstitutions as Record<string, unknown> | undefined) ?? {},
    )) {
      text = text.split(`\${${key}}`).join(asText(value));
    }
    const definition = JSON.parse(text) as Definition;
    const [problem] = definitionProblems(
      `${ctx.stack.stackName}/${logicalId} (AWS::StepFunctions::StateMachine)`,
      definition,
    );
    if (problem) throw new UnsupportedResourceError(problem);
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

type Definition = { States: Record<string, unknown>; QueryLanguage?: string } & Record<string, unknown>;

/** What in a definition the local engine cannot run; task resources not known yet are left to `create`. */
function definitionProblems(where: string, definition: Definition | undefined): string[] {
  if (typeof definition?.States !== 'object') return [];
  const problems: string[] = [];
  if (
    definition.QueryLanguage === 'JSONata' ||
    JSON.stringify(definition).includes('"QueryLanguage":"JSONata"')
  ) {
    problems.push(`${where}: JSONata state machines are not supported offline; use JSONPath`);
  }
  for (const [state, { Resource }] of taskStates(definition)) {
    if (!Resource.includes(UNRESOLVED) && !supportedTaskResource(Resource)) {
      problems.push(
        `${where}: state "${state}" uses task resource ${Resource}, which the offline runtime does not run`,
      );
    }
  }
  return problems;
}

/** Step Functions state machines, run by aws-local-stepfunctions against the local engines. */
export const stepfunctions: ServiceModule = {
  name: 'stepfunctions',
  state: StepFunctionsService,
  inProcessEngine: true,
  provisioners: { 'AWS::StepFunctions::StateMachine': stateMachine },
};
