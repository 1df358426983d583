import { randomUUID } from 'node:crypto';
import type { FunctionError, LambdaHost } from './host.js';

/** Where an asynchronous invocation's outcome goes: an SQS queue or SNS topic, by ARN. */
export type Deliver = (
  arn: string,
  body: string,
  attributes?: Record<string, { type: 'String' | 'Number'; value: string }>,
) => Promise<void>;

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
 * on-failure destination (the invocation record); a success goes to its on-success destination.
 */
export class AsyncInvoker {
  private readonly configs = new Map<string, AsyncConfig>();
  private readonly inFlight = new Set<Promise<void>>();
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
          await this.deliver(
            config.onSuccess,
            this.record(spec?.arn ?? functionName, requestId, 'Success', attempts, event, result.payload),
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
      await this.deliver(
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
  ): string {
    return JSON.stringify({
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
    });
  }
}
