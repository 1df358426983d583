import type { ServiceRuntime, ServiceState } from '../core/services.js';
import { ConsoleApi } from './api.js';
import { EventHub } from './hub.js';
import { ConsoleModel } from './model.js';
import { attachConsole, detachConsole } from './route.js';

/**
 * The local console of one runtime, served by the REST gateway at `<base-url>/_console`: the application's
 * graph with live badges, each resource's state, redrive and fire actions, and live updates by
 * server-sent events.
 */
export class ConsoleService implements ServiceState {
  public readonly model: ConsoleModel;
  private readonly hub: EventHub;

  constructor(runtime: ServiceRuntime) {
    const report =
      runtime.options.log ??
      ((line: string) => {
        process.stderr.write(`${line}\n`);
      });
    this.model = new ConsoleModel(runtime);
    this.hub = new EventHub(this.model, report);
    attachConsole(this.model.host, new ConsoleApi(this.model, this.hub, report).handle);
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  public async close(): Promise<void> {
    this.hub.close();
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  public async stop(): Promise<void> {
    this.hub.close();
    detachConsole(this.model.host);
  }
}
