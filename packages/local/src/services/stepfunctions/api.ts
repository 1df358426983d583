import { createServer, type Server } from 'node:http';
import { closeServer, listenLocal } from '../../core/http-server.js';
import type { StepFunctionsEngine } from './engine.js';
import { describeExecution, epochSeconds, executionHistory, type Execution } from './history.js';

/**
 * The Step Functions API for SDK clients (`AWS_ENDPOINT_URL_SFN`): `StartExecution`, `StartSyncExecution`,
 * `DescribeExecution` and `GetExecutionHistory`, in the AWS JSON 1.0 protocol.
 */
export class StepFunctionsApi {
  private server?: Server;

  constructor(private readonly engine: StepFunctionsEngine) {}

  /** Starts listening on a free port; resolves with the endpoint. */
  public async listen(): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const action = String(req.headers['x-amz-target'] ?? '').replace('AWSStepFunctions.', '');
        const send = (status: number, body: unknown) => {
          res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.0' });
          res.end(JSON.stringify(body));
        };
        let params: Record<string, string>;
        try {
          params = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, string>;
        } catch {
          send(400, { __type: 'SerializationException', message: 'body is not JSON' });
          return;
        }
        this.call(action, params).then(
          (body) => {
            send(200, body);
          },
          (error: unknown) => {
            const e = error as { code?: string; message?: string };
            send(400, { __type: e.code ?? 'InvalidParameterValue', message: e.message ?? String(error) });
          },
        );
      });
    });
    this.server = server;
    return listenLocal(server);
  }

  /** Stops the API server; running executions are left to end. */
  public async close(): Promise<void> {
    await closeServer(this.server);
  }

  private async call(action: string, p: Record<string, string>): Promise<unknown> {
    switch (action) {
      case 'StartExecution': {
        const execution = this.engine.start(p.stateMachineArn ?? '', p.input ?? '{}', p.name);
        return { executionArn: execution.executionArn, startDate: epochSeconds(execution.startDate) };
      }
      case 'StartSyncExecution':
        return describeExecution(await this.engine.runSync(p.stateMachineArn ?? '', p.input ?? '{}', p.name));
      case 'DescribeExecution':
        return describeExecution(this.execution(p.executionArn));
      case 'ListExecutions':
        // One page: an application offline has few executions.
        return {
          executions: this.engine
            .list(p.stateMachineArn ?? '')
            .filter((e) => p.statusFilter === undefined || e.status === p.statusFilter)
            .map((e) => ({
              executionArn: e.executionArn,
              stateMachineArn: e.stateMachineArn,
              name: e.name,
              status: e.status,
              startDate: epochSeconds(e.startDate),
              stopDate: epochSeconds(e.stopDate),
            })),
        };
      case 'GetExecutionHistory':
        return executionHistory(this.execution(p.executionArn));
      default:
        throw Object.assign(new Error(`${action} is not supported by the offline runtime`), {
          code: 'UnknownOperationException',
        });
    }
  }

  private execution(executionArn: string | undefined): Execution {
    const execution = this.engine.describe(executionArn ?? '');
    if (!execution)
      throw Object.assign(new Error(`Execution Does Not Exist: '${executionArn ?? ''}'`), {
        code: 'ExecutionDoesNotExist',
      });
    return execution;
  }
}
