import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenLocal } from '../../core/http-server.js';
import { ScheduleFireError, type ScheduleListing } from './schedule.js';
import type { SchedulerService } from './service.js';

/**
 * The Scheduler endpoint (`AWS_ENDPOINT_URL_SCHEDULER`): the read side of the Scheduler API in its REST JSON
 * protocol (`GET /schedules` = `ListSchedules`, `GET /schedules/<name>?groupName=` = `GetSchedule`; schedules
 * come from the templates, so nothing writes), and the runtime's own routes, `GET /_conflux/schedules` (every
 * schedule with its next firing) and `POST /_conflux/schedules/<name>/fire`.
 */
export class SchedulerApi {
  private server?: Server;

  constructor(private readonly scheduler: SchedulerService) {}

  /** Starts listening on a free port; resolves with the endpoint. */
  public async listen(): Promise<string> {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        try {
          this.handle(req, res);
        } catch {
          // A fault of the runtime's, not of the request: no engine message goes out.
          res.writeHead(500, {
            'Content-Type': 'application/json',
            'x-amzn-errortype': 'InternalServerException',
          });
          res.end(JSON.stringify({ Message: 'the offline EventBridge Scheduler failed' }));
        }
      });
    });
    this.server = server;
    return listenLocal(server);
  }

  /** Stops listening. */
  public async close(): Promise<void> {
    await closeServer(this.server);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(value, null, 2));
    };
    const awsError = (status: number, type: string, message: string) => {
      json(status, { Message: message }, { 'x-amzn-errortype': type });
    };
    if (url.pathname === '/_conflux/schedules' && req.method === 'GET') {
      json(200, { schedules: this.scheduler.schedules() });
      return;
    }
    const fire = /^\/_conflux\/schedules\/(.+)\/fire$/.exec(url.pathname);
    if (fire && req.method === 'POST') {
      let name: string;
      try {
        name = decodeURIComponent(fire[1] ?? '');
      } catch {
        json(400, { message: 'the schedule name is not a valid percent-encoded name' });
        return;
      }
      try {
        json(200, this.scheduler.fire(name));
      } catch (error: unknown) {
        if (!(error instanceof ScheduleFireError)) throw error;
        json(error.status, { message: error.message });
      }
      return;
    }
    if (req.method === 'GET' && url.pathname === '/schedules') {
      const group = url.searchParams.get('ScheduleGroup');
      const prefix = url.searchParams.get('NamePrefix') ?? '';
      const state = url.searchParams.get('State');
      const schedules = this.scheduler
        .schedules()
        .filter((s) => (group === null || s.groupName === group) && s.name.startsWith(prefix))
        .filter((s) => state === null || s.state === state);
      json(200, { Schedules: schedules.map(summary) });
      return;
    }
    const get = /^\/schedules\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && get) {
      const name = decodeURIComponent(get[1] ?? '');
      const group = url.searchParams.get('groupName') ?? 'default';
      const found = this.scheduler.schedules().find((s) => s.name === name && s.groupName === group);
      if (!found) {
        awsError(404, 'ResourceNotFoundException', `Schedule ${name} does not exist.`);
        return;
      }
      json(200, detail(found));
      return;
    }
    awsError(
      400,
      'ValidationException',
      `${req.method ?? ''} ${url.pathname} is not supported by the offline runtime; schedules come from the templates`,
    );
  }
}

function summary(s: ScheduleListing) {
  return { Arn: s.arn, GroupName: s.groupName, Name: s.name, State: s.state, Target: { Arn: s.target.arn } };
}

function detail(s: ScheduleListing) {
  return {
    ...summary(s),
    ActionAfterCompletion: s.actionAfterCompletion,
    FlexibleTimeWindow: {
      Mode: s.flexibleTimeWindow.mode,
      ...(s.flexibleTimeWindow.maximumWindowInMinutes === undefined
        ? {}
        : { MaximumWindowInMinutes: s.flexibleTimeWindow.maximumWindowInMinutes }),
    },
    ScheduleExpression: s.scheduleExpression,
    ScheduleExpressionTimezone: s.scheduleExpressionTimezone,
  };
}
