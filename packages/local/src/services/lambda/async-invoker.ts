import { randomUUID } from 'node:crypto';
import type { FunctionError, LambdaHost } from './host.js';

/** Where an asynchronous invocation's DLQ message or record goes: an SQS queue or SNS topic, by ARN. */
export type Deliver = (
  arn: string,
  body: string,
  attributes?: Record<string, { type: 'String' | 'Number'; value: string }>,
) => Promise<void>;

/** The record a destination gets for one asynchronous invocation, as AWS documents it. */
export interface InvocationRecord {
  readonly version: '1.0';
  readonly timestamp: string;
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: string;
    readonly approximateInvokeCount: number;
  };
  readonly requestPayload: unknown;
  readonly responseContext: {
    readonly statusCode: number;
    readonly executedVersion: string;
    readonly functionError?: string;
  };
  readonly responsePayload: unknown;
}

/**
 * A kind of destination another service delivers to (EventBridge buses): which ARNs it takes, and how a
 * record reaches one.
 */
export interface DestinationRoute {
  accepts(arn: string): boolean;
  send(arn: string, record: InvocationRecord, outcome: 'Success' | 'Failure'): Promise<void>;
}

/** The asynchronous invocation settings of a function (`EventInvokeConfig` and `DeadLetterConfig`). */
export interface AsyncConfig {
  /** 0 to 2. @default 2 */
  readonly maxRetryAttempts?: number;
  /** 60 to 21600. @default 21600 */
  readonly maxEventAgeSeconds?: number;
  readonly onSuccess?: string;
  readonly onFailure?: string;
  readonly deadLetterTarget?: string;
}

/**
 * Lambda's asynchronous invocation: the caller gets an acknowledgement at once; a failed event is retried
 * `maxRetryAttempts` times after the retry delays (AWS waits about one, then two minutes), then goes to the
 * function's DLQ (the original event, with `RequestID`, `ErrorCode`, `ErrorMessage` attributes) and to its
 * on-failure destination (the invocation record); a success goes to its on-success destination. A
 * destination is an SQS queue or SNS topic (the record is the message), a function (the record is the
 * payload of an asynchronous invocation) or a route's kind, such as an EventBridge bus.
 */
export class AsyncInvoker {
  private readonly configs = new Map<string, AsyncConfig>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly routes: DestinationRoute[] = [];
  private stopped = false;

  constructor(
    private readonly host: LambdaHost,
    private readonly deliver: Deliver,
    /** Delay before each retry. @default [60000, 120000], as on AWS */
    private readonly retryDelaysMs: readonly number[] = [60_000, 120_000],
  ) {}

  /** Sets (or adds to) the asynchronous settings of a function, by name or ARN. */
  public configure(functionName: string, config: AsyncConfig): void {
    const name = this.host.get(functionName)?.name ?? functionName;
    this.configs.set(name, { ...this.configs.get(name), ...config });
  }

  /** Adds a kind of destination besides SQS queues, SNS topics and Lambda functions. */
  public addRoute(route: DestinationRoute): void {
    this.routes.push(route);
  }

  /** Whether a destination is a function of the host or of a kind a route takes (SQS and SNS aside). */
  public deliversTo(arn: string): boolean {
    return this.host.get(arn) !== undefined || this.routes.some((r) => r.accepts(arn));
  }

  /** Accepts an event for asynchronous invocation; returns its request id at once. */
  public invoke(functionName: string, event: unknown): string {
    const requestId = randomUUID();
    const run = this.process(functionName, event, requestId).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
    return requestId;
  }

  /** Stops retrying and waits for invocations in flight. */
  public async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.inFlight]);
  }

  private async process(functionName: string, event: unknown, requestId: string): Promise<void> {
    const spec = this.host.get(functionName);
    const config = this.configs.get(spec?.name ?? functionName) ?? {};
    const retries = config.maxRetryAttempts ?? 2;
    const maxAgeMs = (config.maxEventAgeSeconds ?? 21_600) * 1000;
    const accepted = Date.now();
    let attempts = 0;
    let lastError: FunctionError | undefined;
    for (;;) {
      attempts += 1;
      const result = await this.host.invoke(functionName, event);
      if (result.ok) {
        if (config.onSuccess) {
          await this.destination(
            config.onSuccess,
            this.record(spec?.arn ?? functionName, requestId, 'Success', attempts, event, result.payload),
            'Success',
          );
        }
        return;
      }
      lastError = result.error;
      const delay = this.retryDelaysMs[attempts - 1] ?? this.retryDelaysMs.at(-1) ?? 0;
      if (attempts > retries || this.stopped) break;
      if (Date.now() + delay - accepted > maxAgeMs) {
        await this.fail(
          config,
          spec?.arn ?? functionName,
          requestId,
          'EventAgeExceeded',
          attempts,
          event,
          lastError,
        );
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    await this.fail(
      config,
      spec?.arn ?? functionName,
      requestId,
      'RetriesExhausted',
      attempts,
      event,
      lastError,
    );
  }

  private async fail(
    config: AsyncConfig,
    functionArn: string,
    requestId: string,
    condition: string,
    attempts: number,
    event: unknown,
    error: FunctionError,
  ): Promise<void> {
    if (config.deadLetterTarget) {
      await this.deliver(config.deadLetterTarget, JSON.stringify(event), {
        RequestID: { type: 'String', value: requestId },
        ErrorCode: { type: 'Number', value: '200' },
        ErrorMessage: { type: 'String', value: error.errorMessage.slice(0, 1024) },
      });
    }
    if (config.onFailure) {
      await this.destination(
        config.onFailure,
        this.record(
          functionArn,
          requestId,
          condition,
          attempts,
          event,
          { errorMessage: error.errorMessage, errorType: error.errorType },
          'Unhandled',
        ),
        'Failure',
      );
    }
  }

  /**
   * Sends a record to a destination: a function gets it as the payload of an asynchronous invocation, a
   * route's destination (an event bus) as it takes it, an SQS queue or SNS topic as the message body.
   */
  private async destination(
    arn: string,
    record: InvocationRecord,
    outcome: 'Success' | 'Failure',
  ): Promise<void> {
    try {
      const route = this.routes.find((r) => r.accepts(arn));
      if (this.host.get(arn)) this.invoke(arn, record);
      else if (route) await route.send(arn, record, outcome);
      else await this.deliver(arn, JSON.stringify(record));
    } catch (error: unknown) {
      process.stderr.write(
        `[lambda ${record.requestContext.functionArn}] the ${outcome.toLowerCase()} record of ${record.requestContext.requestId} could not reach ${arn}: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    }
  }

  private record(
    functionArn: string,
    requestId: string,
    condition: string,
    attempts: number,
    requestPayload: unknown,
    responsePayload: unknown,
    functionError?: string,
  ): InvocationRecord {
    return {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId,
        functionArn: `${functionArn}:$LATEST`,
        condition,
        approximateInvokeCount: attempts,
      },
      requestPayload,
      responseContext: {
        statusCode: 200,
        executedVersion: '$LATEST',
        ...(functionError ? { functionError } : {}),
      },
      responsePayload,
    };
  }
}
