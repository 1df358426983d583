import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenLocal } from '../../core/http-server.js';
import { bindParameters } from './dialect.js';
import {
  AthenaRequestError,
  EFFECTIVE_ENGINE,
  type AthenaService,
  type QueryExecution,
  type WorkGroup,
} from './service.js';

type Params = Readonly<Record<string, unknown>>;

const seconds = (date: Date | undefined) => (date === undefined ? undefined : date.getTime() / 1000);

/** A string parameter, or the error Athena answers for a missing one. */
function text(params: Params, name: string, required = true): string | undefined {
  const value = params[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw new AthenaRequestError(`${name} is required and must be a non-empty string`);
  }
  return value;
}

/** `MaxResults` within Athena's bounds for the action. */
function maxResults(params: Params, max: number): number {
  const value = params.MaxResults;
  if (value === undefined) return max;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new AthenaRequestError(`MaxResults must be 1 to ${max}; got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A page of `items` from an offset `NextToken`. */
function page<T>(items: readonly T[], params: Params, size: number): { items: T[]; NextToken?: string } {
  const token = params.NextToken;
  const start = token === undefined ? 0 : typeof token === 'string' ? Number.parseInt(token, 36) : NaN;
  if (!Number.isInteger(start) || start < 0 || start > items.length) {
    throw new AthenaRequestError('NextToken is not one this API gave');
  }
  const end = start + size;
  return { items: items.slice(start, end), ...(end < items.length ? { NextToken: end.toString(36) } : {}) };
}

function describeExecution(e: QueryExecution): unknown {
  const engineMs = e.startedAt && e.completedAt ? e.completedAt.getTime() - e.startedAt.getTime() : 0;
  const queueMs = (e.startedAt ?? e.completedAt ?? new Date()).getTime() - e.submittedAt.getTime();
  return {
    QueryExecutionId: e.id,
    Query: e.query,
    StatementType: e.statementType,
    ResultConfiguration: { OutputLocation: e.outputLocation },
    QueryExecutionContext: { Database: e.database, Catalog: 'awsdatacatalog' },
    Status: {
      State: e.state,
      ...(e.reason === undefined ? {} : { StateChangeReason: e.reason }),
      SubmissionDateTime: seconds(e.submittedAt),
      ...(e.completedAt ? { CompletionDateTime: seconds(e.completedAt) } : {}),
      ...(e.state === 'FAILED'
        ? { AthenaError: { ErrorCategory: 2, Retryable: false, ErrorMessage: e.reason ?? '' } }
        : {}),
    },
    Statistics: {
      EngineExecutionTimeInMillis: engineMs,
      DataScannedInBytes: e.scannedBytes,
      TotalExecutionTimeInMillis: engineMs + Math.max(queueMs, 0),
      QueryQueueTimeInMillis: Math.max(queueMs, 0),
      ServicePreProcessingTimeInMillis: 0,
      QueryPlanningTimeInMillis: 0,
      ServiceProcessingTimeInMillis: 0,
      ResultReuseInformation: { ReusedPreviousResult: false },
    },
    WorkGroup: e.workGroup,
    EngineVersion: { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: EFFECTIVE_ENGINE },
  };
}

function describeWorkGroup(g: WorkGroup): unknown {
  return {
    Name: g.name,
    State: g.state,
    ...(g.description === undefined ? {} : { Description: g.description }),
    CreationTime: seconds(g.createdAt),
    Configuration: {
      ...(g.outputLocation === undefined
        ? {}
        : { ResultConfiguration: { OutputLocation: g.outputLocation } }),
      EnforceWorkGroupConfiguration: g.enforce,
      PublishCloudWatchMetricsEnabled: false,
      ...(g.bytesScannedCutoff === undefined ? {} : { BytesScannedCutoffPerQuery: g.bytesScannedCutoff }),
      RequesterPaysEnabled: false,
      EngineVersion: { SelectedEngineVersion: g.engineVersion, EffectiveEngineVersion: EFFECTIVE_ENGINE },
    },
  };
}

/**
 * The Athena API for SDK clients (`AWS_ENDPOINT_URL_ATHENA`), AWS JSON 1.1 with the target prefix
 * `AmazonAthena.`: named queries, query executions and their results, workgroups.
 */
export class AthenaApi {
  private server?: Server;

  constructor(private readonly athena: AthenaService) {}

  /** Starts listening on a free port; resolves with the endpoint. */
  public async listen(): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void this.handle(req, res, Buffer.concat(chunks).toString()).catch(() => {
          send(res, 500, { __type: 'InternalServerException', Message: 'the offline Athena failed' });
        });
      });
    });
    this.server = server;
    return listenLocal(server);
  }

  /** Stops listening. */
  public async close(): Promise<void> {
    await closeServer(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    if (req.method !== 'POST' || !target.startsWith('AmazonAthena.')) {
      send(res, 404, {
        __type: 'UnknownOperationException',
        Message: `${req.method ?? ''} ${req.url ?? ''} is not an Athena call`,
      });
      return;
    }
    let params: Params;
    try {
      const parsed = JSON.parse(body || '{}') as unknown;
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new SyntaxError();
      params = parsed as Params;
    } catch {
      send(res, 400, { __type: 'SerializationException', Message: 'the request body is not a JSON object' });
      return;
    }
    try {
      send(res, 200, await this.call(target.slice('AmazonAthena.'.length), params));
    } catch (error: unknown) {
      if (!(error instanceof AthenaRequestError)) throw error;
      send(res, 400, { __type: error.type, Message: error.message, AthenaErrorCode: error.code });
    }
  }

  private async call(action: string, params: Params): Promise<unknown> {
    const a = this.athena;
    switch (action) {
      case 'ListNamedQueries': {
        const group = text(params, 'WorkGroup', false) ?? 'primary';
        if (!a.workGroup(group)) throw new AthenaRequestError(`WorkGroup ${group} is not found.`);
        const ids = a.namedQueries(group).map((q) => q.NamedQueryId);
        const { items, NextToken } = page(ids, params, maxResults(params, 50));
        return { NamedQueryIds: items, ...(NextToken ? { NextToken } : {}) };
      }
      case 'GetNamedQuery': {
        const id = text(params, 'NamedQueryId') ?? '';
        const query = a.namedQuery(id);
        if (!query) throw new AthenaRequestError(`NamedQuery ${id} was not found`);
        return { NamedQuery: query };
      }
      case 'BatchGetNamedQuery': {
        const ids = this.ids(params, 'NamedQueryIds');
        const found = ids.flatMap((id) => a.namedQuery(id) ?? []);
        return {
          NamedQueries: found,
          UnprocessedNamedQueryIds: ids
            .filter((id) => !a.namedQuery(id))
            .map((id) => ({
              NamedQueryId: id,
              ErrorCode: 'INVALID_INPUT',
              ErrorMessage: `NamedQuery ${id} was not found`,
            })),
        };
      }
      case 'CreateNamedQuery': {
        const group = text(params, 'WorkGroup', false) ?? 'primary';
        if (!a.workGroup(group)) throw new AthenaRequestError(`WorkGroup ${group} is not found.`);
        const description = text(params, 'Description', false);
        const id = a.addNamedQuery({
          Name: text(params, 'Name') ?? '',
          Database: text(params, 'Database') ?? '',
          QueryString: text(params, 'QueryString') ?? '',
          WorkGroup: group,
          ...(description === undefined ? {} : { Description: description }),
        });
        return { NamedQueryId: id };
      }
      case 'StartQueryExecution': {
        const context = (params.QueryExecutionContext ?? {}) as Params;
        const catalog = text(context, 'Catalog', false);
        if (catalog !== undefined && catalog.toLowerCase() !== 'awsdatacatalog') {
          throw new AthenaRequestError(
            `Catalog ${catalog} is not found: offline there is only AwsDataCatalog`,
          );
        }
        const query = text(params, 'QueryString') ?? '';
        if (query.length > 262144)
          throw new AthenaRequestError('QueryString is longer than 262144 characters');
        const parameters = params.ExecutionParameters;
        if (
          parameters !== undefined &&
          (!Array.isArray(parameters) || parameters.some((p) => typeof p !== 'string'))
        ) {
          throw new AthenaRequestError('ExecutionParameters must be a list of strings');
        }
        const database = text(context, 'Database', false);
        const workGroup = text(params, 'WorkGroup', false);
        const output = text((params.ResultConfiguration ?? {}) as Params, 'OutputLocation', false);
        const token = text(params, 'ClientRequestToken', false);
        const bound = parameters === undefined ? query : bindParameters(query, parameters as string[]);
        if (bound === undefined) {
          throw new AthenaRequestError(
            'ExecutionParameters must hold one value for each ? of the QueryString',
          );
        }
        const id = a.startQuery({
          query: bound,
          ...(database === undefined ? {} : { database }),
          ...(workGroup === undefined ? {} : { workGroup }),
          ...(output === undefined ? {} : { outputLocation: output }),
          ...(token === undefined ? {} : { clientRequestToken: token }),
        });
        return { QueryExecutionId: id };
      }
      case 'GetQueryExecution':
        return { QueryExecution: describeExecution(this.executionOf(params)) };
      case 'BatchGetQueryExecution': {
        const ids = this.ids(params, 'QueryExecutionIds');
        return {
          QueryExecutions: ids.flatMap((id) => {
            const e = a.execution(id);
            return e ? [describeExecution(e)] : [];
          }),
          UnprocessedQueryExecutionIds: ids
            .filter((id) => !a.execution(id))
            .map((id) => ({
              QueryExecutionId: id,
              ErrorCode: 'INVALID_INPUT',
              ErrorMessage: `QueryExecution ${id} was not found`,
            })),
        };
      }
      case 'ListQueryExecutions': {
        const group = text(params, 'WorkGroup', false) ?? 'primary';
        const ids = a.executionsOf(group).map((e) => e.id);
        const { items, NextToken } = page(ids, params, maxResults(params, 50));
        return { QueryExecutionIds: items, ...(NextToken ? { NextToken } : {}) };
      }
      case 'GetQueryResults':
        return this.results(params);
      case 'StopQueryExecution':
        await a.stopExecution(this.executionOf(params).id);
        return {};
      case 'ListWorkGroups':
        return {
          WorkGroups: a.workGroupList().map((g) => ({
            Name: g.name,
            State: g.state,
            ...(g.description === undefined ? {} : { Description: g.description }),
            CreationTime: seconds(g.createdAt),
            EngineVersion: {
              SelectedEngineVersion: g.engineVersion,
              EffectiveEngineVersion: EFFECTIVE_ENGINE,
            },
          })),
        };
      case 'GetWorkGroup': {
        const name = text(params, 'WorkGroup') ?? '';
        const group = a.workGroup(name);
        if (!group) throw new AthenaRequestError(`WorkGroup ${name} is not found.`);
        return { WorkGroup: describeWorkGroup(group) };
      }
      default:
        throw new AthenaRequestError(
          `${action} is not supported by the offline runtime; workgroups, databases and tables come from the templates`,
          'UnknownOperationException',
        );
    }
  }

  private results(params: Params): unknown {
    const e = this.executionOf(params);
    if (e.state === 'QUEUED' || e.state === 'RUNNING') {
      throw new AthenaRequestError(`Query has not yet finished. Current state: ${e.state}`);
    }
    if (e.state !== 'SUCCEEDED' || !e.result) {
      throw new AthenaRequestError(`Query did not finish successfully. Final query state: ${e.state}`);
    }
    const { columns, rows } = e.result;
    const cells = (values: readonly (string | undefined)[]) => ({
      Data: values.map((v) => (v === undefined ? {} : { VarCharValue: v })),
    });
    // A SELECT's first row holds the column names, as Athena's does.
    const all = e.statementType === 'DML' ? [columns.map((c) => c.Name), ...rows] : rows;
    const { items, NextToken } = page(all, params, maxResults(params, 1000));
    return {
      UpdateCount: 0,
      ResultSet: { Rows: items.map(cells), ResultSetMetadata: { ColumnInfo: columns } },
      ...(NextToken ? { NextToken } : {}),
    };
  }

  private executionOf(params: Params): QueryExecution {
    const id = text(params, 'QueryExecutionId') ?? '';
    const execution = this.athena.execution(id);
    if (!execution) throw new AthenaRequestError(`QueryExecution ${id} was not found`);
    return execution;
  }

  private ids(params: Params, name: string): string[] {
    const ids = params[name];
    if (
      !Array.isArray(ids) ||
      ids.length < 1 ||
      ids.length > 50 ||
      ids.some((id) => typeof id !== 'string')
    ) {
      throw new AthenaRequestError(`${name} must hold 1 to 50 ids`);
    }
    return ids as string[];
  }
}

function send(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1' });
  res.end(JSON.stringify(value));
}
